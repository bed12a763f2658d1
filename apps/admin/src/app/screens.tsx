import { OpsView } from './ops/OpsView';
import { SupportView } from './support/SupportView';

/** The console's screens besides the programs: `?screen=support&user=…` and `?screen=ops`. */
export type Screen = 'programs' | 'support' | 'ops';

export function goScreen(screen: Screen, user?: string): void {
  const q = new URLSearchParams();
  if (screen !== 'programs') q.set('screen', screen);
  if (user) q.set('user', user);
  window.history.pushState(null, '', `${window.location.pathname}${q.size ? `?${q.toString()}` : ''}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export const screenOf = (location: URLSearchParams): Screen => {
  const s = location.get('screen');
  return s === 'support' || s === 'ops' ? s : 'programs';
};

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
