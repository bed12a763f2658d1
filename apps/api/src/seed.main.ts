/**
 * Seeds the example programs (Kilo Pass referrals, Challenge Based Rewards, and KiloClaw referrals,
 * which Kilo retired: saved, then retired) explicitly, never on the api's boot: `npm run seed`
 * (or `npx nx run api:seed`), and `npm start` on a database with no program (`--if-no-programs`).
 * The Kilo Pass and Challenge windows start on the seeding day (seed/dated-example-programs.ts).
 * Without DATABASE_URL it uses the database of the running `npm start` (seed/dev-stack-database.ts).
 * Idempotent: a program that already exists is left as it is (its history is the operators'),
 * except that the KiloClaw program is retired if it is not yet.
 */
import { ConfigError, exitOnConfigError, parseEnv, postgresUrlVar } from '@referrals/config';
import { createProgramStore, isProgramError } from '@referrals/programs';
import { retireProgram } from '@referrals/rewarding';
import { examplePrograms } from '@referrals/rule-dsl';
import { z } from 'zod';
import { connectDatabase } from './connect-database';
import { loadProductRegistry } from './products';
import { examplesToSeed } from './seed/dated-example-programs';
import { databaseUrlFor, devStackDatabaseFile } from './seed/dev-stack-database';

async function main(): Promise<void> {
  const onlyIfNoPrograms = process.argv.includes('--if-no-programs');
  const database = databaseUrlFor(process.env);
  if (!database.url) {
    process.stderr.write(
      `Configuration error: DATABASE_URL is not set and no dev stack has run here (no ${devStackDatabaseFile(process.env)}): ` +
        'start it with `npm start` (then run `npm run seed` in another terminal), or set DATABASE_URL.\n',
    );
    process.exit(78); // EX_CONFIG, as exitOnConfigError
  }
  const { DATABASE_URL } = parseEnv(z.object({ DATABASE_URL: postgresUrlVar }), { DATABASE_URL: database.url });
  if (database.from !== 'DATABASE_URL') process.stdout.write(`using the dev stack's database (${database.from})\n`);
  const products = loadProductRegistry();
  const sequelize = await connectDatabase(DATABASE_URL).catch((error: unknown) => {
    if (!(error instanceof ConfigError) || database.from === 'DATABASE_URL') throw error;
    throw new ConfigError(error.variable, `${error.problem}; it comes from ${database.from}: is \`npm start\` running?`);
  });
  try {
    const programs = createProgramStore({ sequelize, catalogs: products.catalogs });
    const existing = await programs.list();
    if (onlyIfNoPrograms && existing.length > 0) {
      process.stdout.write(`${existing.length} program(s) stored: examples not seeded (\`npm run seed\` adds missing ones)\n`);
      return;
    }
    for (const document of examplesToSeed(new Date())) {
      if (!products.get(document.product)) {
        process.stdout.write(`${document.key} skipped: the products file declares no "${document.product}"\n`);
        continue;
      }
      try {
        const saved = await programs.save({ document, author: 'system:seed', changeNote: 'example program seeded', expectedVersion: 0 });
        const window = `inviting ${document.schedule.startAt.slice(0, 10)} to ${document.schedule.frozenAt.slice(0, 10)}, rewarding to ${document.schedule.endAt.slice(0, 10)}`;
        process.stdout.write(`seeded ${saved.key} v${saved.version}${saved.replayed ? ' (already)' : ''} (${window})\n`);
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
