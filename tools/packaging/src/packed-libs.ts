/**
 * The libs other services install (issue 19 item 5): each builds to `dist` (CommonJS + types) and is
 * packed with `npm pack`. Their `@referrals/*` dependencies are packed too, or the tarballs would
 * not install. Order does not matter (Nx builds dependencies first).
 */
export const PACKED_LIBS = [
  'rule-dsl',
  'errors',
  'sql',
  'config',
  'db',
  'products',
  'programs',
  'attribution',
  'ledger',
  'impact-client',
  'outbox',
  'impact-sync',
  'workflows',
  'rewarding',
] as const;

/**
 * Libs packed when their folder exists: `@referrals/client` (issue 19 item 4) is written on another
 * branch. Once it builds to `dist` like the others, it is packed, installed and imported; a
 * `smoke/<lib>.smoke.ts` next to the others, if present, runs too.
 */
export const PACKED_WHEN_PRESENT = ['client'] as const;

/**
 * Small programs run against the installed tarballs, outside the workspace (tools/packaging/smoke).
 * rule-dsl's is also bundled for a browser with Vite.
 */
export const SMOKE_PROGRAMS = ['rule-dsl', 'ledger', 'attribution', 'impact-client', 'rewarding'] as const;

export const BROWSER_SMOKE = 'rule-dsl';
