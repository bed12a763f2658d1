import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the running dev stack answers, written by `npm start` to `<DATA_DIR>/dev-stack.json` once it
 * is ready and removed when it stops, so that other commands (`npm run demo`) find it without
 * variables. URLs only: the API keys stay in `dev-api-keys.env` (mode 0600).
 */
export interface StackUrls {
  apiUrl: string;
  temporalNamespace: string;
  /** The Temporal web UI, when the launcher started the dev server. */
  temporalUiUrl: string | null;
  /** The fake Impact server, when no Impact credentials were set. */
  fakeImpactUrl: string | null;
}

export const stackUrlsFile = (dataDir: string) => path.join(dataDir, 'dev-stack.json');

export function writeStackUrls(dataDir: string, urls: StackUrls): void {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(stackUrlsFile(dataDir), `${JSON.stringify(urls, null, 2)}\n`);
}

export function removeStackUrls(dataDir: string): void {
  fs.rmSync(stackUrlsFile(dataDir), { force: true });
}

/** The running stack's URLs, or null when no `npm start` runs on this data folder. */
export function readStackUrls(dataDir: string): StackUrls | null {
  try {
    return JSON.parse(fs.readFileSync(stackUrlsFile(dataDir), 'utf8')) as StackUrls;
  } catch {
    return null;
  }
}
