import { OpsView } from './ops/OpsView';
import { type Screen, goScreen, screenOf } from './screen-location';
import { SupportView } from './support/SupportView';

export { screenOf };

/** Links between the screens, in the header. */
export function ScreenNav({ current }: { current: Screen }) {
  const link = (screen: Screen, label: string) => (
    <a
      href={screen === 'programs' ? '?' : `?screen=${screen}`}
      aria-current={current === screen ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        goScreen(screen);
      }}
    >
      {label}
    </a>
  );
  return (
    <nav className="screen-nav" aria-label="Screens">
      {link('programs', 'Programs')}
      {link('support', 'Support')}
      {link('ops', 'Operations')}
    </nav>
  );
}

/** The support or ops screen for the location, or null for the program screens. */
export function OtherScreen({ location }: { location: URLSearchParams }) {
  const screen = screenOf(location);
  if (screen === 'support') return <SupportView userId={location.get('user') ?? ''} onSearch={(user) => goScreen('support', user)} />;
  if (screen === 'ops') return <OpsView />;
  return null;
}
