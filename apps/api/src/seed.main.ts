/**
 * Seeds the two example programs (Kilo Pass referrals, Challenge Based Rewards) as version 1,
 * explicitly, never on boot: `node --import tsx apps/api/src/seed.main.ts` (or `npx nx run api:seed`).
 * Idempotent: a program that already exists is left as it is (its history is the operators').
 */
import { exitOnConfigError, parseEnv, postgresUrlVar } from '@referrals/config';
import { createProgramStore, isProgramError } from '@referrals/programs';
import { examplePrograms } from '@referrals/rule-dsl';
import { z } from 'zod';
import { connectDatabase } from './connect-database';
import { loadProductRegistry } from './products';

async function main(): Promise<void> {
  const { DATABASE_URL } = parseEnv(z.object({ DATABASE_URL: postgresUrlVar }), process.env);
  const products = loadProductRegistry();
  const sequelize = await connectDatabase(DATABASE_URL);
  try {
    const programs = createProgramStore({ sequelize, catalogs: products.catalogs });
    for (const document of [examplePrograms.kiloPass, examplePrograms.challengeRewards]) {
      if (!products.get(document.product)) {
        process.stdout.write(`${document.key} skipped: the products file declares no "${document.product}"\n`);
        continue;
      }
      try {
        const saved = await programs.save({ document, author: 'system:seed', changeNote: 'example program seeded', expectedVersion: 0 });
        process.stdout.write(`seeded ${saved.key} v${saved.version}${saved.replayed ? ' (already)' : ''}\n`);
      } catch (error) {
        if (!isProgramError(error) || error.code !== 'version_conflict') throw error;
        process.stdout.write(`${document.key} exists: left as it is\n`);
      }
    }
  } finally {
    await sequelize.close();
  }
}

main().catch((error: unknown) => {
  try {
    exitOnConfigError(error);
  } catch {
    process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
});
