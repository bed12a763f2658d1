/**
 * Seeds the example programs (Kilo Pass referrals, Challenge Based Rewards, and KiloClaw referrals,
 * which Kilo retired: saved, then retired) explicitly, never on boot:
 * `node --import tsx apps/api/src/seed.main.ts` (or `npx nx run api:seed`).
 * Idempotent: a program that already exists is left as it is (its history is the operators'),
 * except that the KiloClaw program is retired if it is not yet.
 */
import { exitOnConfigError, parseEnv, postgresUrlVar } from '@referrals/config';
import { createProgramStore, isProgramError } from '@referrals/programs';
import { retireProgram } from '@referrals/rewarding';
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
    for (const document of [examplePrograms.kiloPass, examplePrograms.challengeRewards, examplePrograms.kiloClaw]) {
      if (!products.get(document.product)) {
        process.stdout.write(`${document.key} skipped: the products file declares no "${document.product}"\n`);
        continue;
      }
      try {
        const saved = await programs.save({ document, author: 'system:seed', changeNote: 'example program seeded', expectedVersion: 0 });
        process.stdout.write(`seeded ${saved.key} v${saved.version}${saved.replayed ? ' (already)' : ''}\n`);
      } catch (error) {
        if (!isProgramError(error) || (error.code !== 'version_conflict' && error.code !== 'program_retired')) throw error;
        process.stdout.write(`${document.key} exists: left as it is\n`);
      }
    }
    if (products.get(examplePrograms.kiloClaw.product)) {
      // Kilo retired its KiloClaw referral program (their rules 69a-69g): the example is seeded retired.
      const retired = await retireProgram({ sequelize, programs }, { key: examplePrograms.kiloClaw.key, author: 'system:seed', reason: 'KiloClaw referrals are retired (Kilo Pass is the only live program)' });
      process.stdout.write(`retired ${retired.program.key} v${retired.program.version}${retired.replayed ? ' (already)' : ''}\n`);
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
