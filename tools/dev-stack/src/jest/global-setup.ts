/**
 * Jest globalSetup (real PostgreSQL and Temporal; stack-setup.ts). Jest loads this file with Node's
 * own module resolution, which maps `@referrals/*` to each lib's built `dist` (their package
 * `exports`); a fresh clone has no build. tsx, registered here, resolves them to their sources
 * through the tsconfig paths, as `npm start` and `npm test` do.
 */
export default async function globalSetup(): Promise<void> {
  const { register } = await import('tsx/cjs/api');
  register();
  const { default: setup } = await import('./stack-setup');
  await setup();
}
