import fs from 'node:fs';
import path from 'node:path';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StackAlreadyRunningError extends Error {
  readonly code = 'stack_already_running';
}

/**
 * One launcher per data directory: a second `npm start` on the same `.data/` stops with a clear
 * message instead of opening the same PostgreSQL cluster and Temporal SQLite file twice. A lock left
 * by a process that died is taken over.
 */
export function acquireDataDirLock(dataDir: string, name: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, `${name}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new StackAlreadyRunningError(
          `the ${name} stack on ${dataDir} is already running (pid ${owner}); stop it first or set DATA_DIR`,
        );
      }
      fs.unlinkSync(file); // stale: its owner is gone
    }
  }
  throw new StackAlreadyRunningError(`could not lock ${file}`);
}
