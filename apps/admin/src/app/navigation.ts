/**
 * In-page navigation (`?program=key&view=history`) with the unsaved-changes guard: a screen with
 * edits registers a guard, and every navigation through `go` (links, buttons, Back) asks first.
 */
export type View = 'edit' | 'history' | 'simulate';

let hasUnsavedEdits: () => boolean = () => false;

export const LEAVE_QUESTION = 'You have unsaved changes. Leave this page and lose them?';

/** Registers what "has unsaved edits" means for the screen shown; returns its removal. */
export function guardUnsavedEdits(check: () => boolean): () => void {
  hasUnsavedEdits = check;
  return () => {
    if (hasUnsavedEdits === check) hasUnsavedEdits = () => false;
  };
}

/** True when nothing would be lost, or the operator agreed to lose it. */
export function mayLeave(): boolean {
  return !hasUnsavedEdits() || window.confirm(LEAVE_QUESTION);
}

export function hrefFor(key: string | null, view: View = 'edit', extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (key) q.set('program', key);
  if (view !== 'edit') q.set('view', view);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `${window.location.pathname}${q.size ? `?${q.toString()}` : ''}`;
}

/** Navigates inside the page; `force` skips the guard (after a save, or when the operator already agreed). */
export function go(key: string | null, view: View = 'edit', options: { force?: boolean; extra?: Record<string, string> } = {}): boolean {
  if (!options.force && !mayLeave()) return false;
  window.history.pushState(null, '', hrefFor(key, view, options.extra));
  window.dispatchEvent(new Event(NAVIGATED));
  return true;
}

/** Dispatched after `go` changed the address (already guarded); the browser's Back/Forward is `popstate`. */
export const NAVIGATED = 'referrals:navigated';
