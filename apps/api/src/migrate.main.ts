/**
 * `npm run migrate`: applies every lib's pending migrations in order (idempotent: a second run
 * applies nothing). `npm run migrate -- --down` reverts the newest one; `--down --all` reverts all.
 */
import { exitOnConfigError, parseEnv, postgresUrlVar } from '@referrals/config';
import { migrateDown, migrateUp } from '@referrals/db';
import { z } from 'zod';
import { connectDatabase } from './connect-database';
import { allMigrationSources } from './migrations';

async function main(): Promise<void> {
  const { DATABASE_URL } = parseEnv(z.object({ DATABASE_URL: postgresUrlVar }), process.env);
  const sequelize = await connectDatabase(DATABASE_URL);
  try {
    const down = process.argv.includes('--down');
    const names = down
      ? await migrateDown(sequelize, allMigrationSources, process.argv.includes('--all') ? { to: 0 } : {})
      : await migrateUp(sequelize, allMigrationSources);
    const verb = down ? 'reverted' : 'applied';
    process.stdout.write(names.length ? `${verb} ${names.length}: ${names.join(', ')}\n` : `nothing to ${down ? 'revert' : 'apply'}\n`);
  } finally {
    await sequelize.close();
  }
}

main().catch((error: unknown) => {
  try {
    exitOnConfigError(error);
  } catch {
    process.stderr.write(`migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
});
