import { allMigrationSources } from '../migrations';
import { hashMigrations, migrationsLockPath, writeLock } from './migrations-lock';

/** `npm run migrations:lock`: records the hash of every migration (run it after adding a NEW one). */
async function main(): Promise<void> {
  const lock = await hashMigrations(allMigrationSources);
  writeLock(lock);
  console.log(`wrote ${Object.keys(lock).length} migrations to ${migrationsLockPath}`);
}

void main();
