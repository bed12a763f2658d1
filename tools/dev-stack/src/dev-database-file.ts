import fs from 'node:fs';
import path from 'node:path';

/**
 * `<DATA_DIR>/dev-database.env`: the running stack's DATABASE_URL (embedded or from the
 * environment), mode 0600, so `npm run seed` and other one-off commands reach the stack's database
 * without any variable (apps/api/src/seed/dev-stack-database.ts reads it). The banner prints the
 * file's path, never the URL: it holds the password.
 */
export function writeDevDatabaseFile(dataDir: string, databaseUrl: string): string {
  const file = path.join(dataDir, 'dev-database.env');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `DATABASE_URL=${databaseUrl}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}
