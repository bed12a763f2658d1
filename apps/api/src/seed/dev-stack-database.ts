import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where `npm start` (tools/dev-stack) keeps its data by default: `<workspace>/.data`. */
const DEFAULT_DATA_DIR = path.resolve(__dirname, '../../../../.data');

/** The file `npm start` writes with its embedded database's URL (mode 0600; never printed). */
export function devStackDatabaseFile(env: NodeJS.ProcessEnv): string {
  return path.join(env['DATA_DIR'] || DEFAULT_DATA_DIR, 'dev-database.env');
}

/**
 * DATABASE_URL for a command run next to the dev stack (`npm run seed`): the variable when set,
 * else the URL `npm start` stored under its data folder, else undefined (the caller's config
 * error then names the variable).
 */
export function databaseUrlFor(env: NodeJS.ProcessEnv): { url: string | undefined; from: string } {
  if (env['DATABASE_URL']) return { url: env['DATABASE_URL'], from: 'DATABASE_URL' };
  const file = devStackDatabaseFile(env);
  if (!existsSync(file)) return { url: undefined, from: 'DATABASE_URL' };
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('DATABASE_URL='));
  return { url: line?.slice('DATABASE_URL='.length).trim() || undefined, from: file };
}
