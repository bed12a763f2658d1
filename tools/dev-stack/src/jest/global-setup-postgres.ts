/** Jest globalSetup for PostgreSQL-only projects (stack-setup-postgres.ts); why tsx: global-setup.ts. */
export default async function globalSetupPostgres(): Promise<void> {
  const { register } = await import('tsx/cjs/api');
  register();
  const { default: setup } = await import('./stack-setup-postgres');
  await setup();
}
