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
