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

/** Where the running stack answers (no secrets): what `npm run demo` and other tools point at. */
export interface DevStackUrls {
  API_URL: string;
  ADMIN_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_UI_URL?: string;
  IMPACT_FAKE_URL?: string;
}

/**
 * `<DATA_DIR>/dev-stack.env`, written once the stack is ready and removed when it stops: its
 * presence says a stack runs on this data folder, its lines say where (the ports are variables).
 */
export function writeDevStackUrlsFile(dataDir: string, urls: DevStackUrls): { file: string; remove: () => void } {
  const file = path.join(dataDir, 'dev-stack.env');
  const lines = Object.entries(urls).filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${value}`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, remove: () => fs.rmSync(file, { force: true }) };
}
