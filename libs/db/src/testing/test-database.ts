import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Sequelize } from 'sequelize';
import { createSequelize } from '../connection';
import { withDatabase } from '../database-url';
import { migrateUp, type MigrationSource } from '../migrations';

export interface TestDatabase {
  /** A database of its own on the real server, with the given migrations applied. */
  sequelize: Sequelize;
  databaseUrl: string;
  databaseName: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: run tests through `npm test` or a project whose jest globalSetup starts the dev stack',
    );
  }
  return url;
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh database on the server named by DATABASE_URL and migrates it with `sources`
 * (`migrate: false` leaves it empty). Each test file gets its own, so files run in parallel
 * without seeing each other's rows.
 */
export async function createTestDatabase(
  options: { sources?: readonly MigrationSource[]; label?: string; migrate?: boolean } = {},
): Promise<TestDatabase> {
  const label = (options.label ?? 'test').toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 30);
  const databaseName = `t_${label}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE "${databaseName}"`));
  const databaseUrl = withDatabase(serverUrl(), databaseName);
  const sequelize = createSequelize({ databaseUrl, poolMax: 5 });
  if (options.migrate !== false) await migrateUp(sequelize, options.sources ?? []);
  return {
    sequelize,
    databaseUrl,
    databaseName,
    async drop() {
      await sequelize.close();
      await onServer((client) => client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`));
    },
  };
}

/**
 * Jest helper: a fresh migrated database for this test file, created in `beforeAll` and dropped in
 * `afterAll`. Read `.sequelize` inside tests (it exists only once `beforeAll` ran).
 */
export function useTestDatabase(sources: readonly MigrationSource[], options: { migrate?: boolean } = {}): TestDatabase {
  let db: TestDatabase | undefined;
  const current = (): TestDatabase => {
    if (!db) throw new Error('the test database exists only inside tests (after beforeAll)');
    return db;
  };
  beforeAll(async () => {
    db = await createTestDatabase({ sources, label: expect.getState().testPath?.split('/').pop(), ...options });
  }, 60_000);
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get sequelize() {
      return current().sequelize;
    },
    get databaseUrl() {
      return current().databaseUrl;
    },
    get databaseName() {
      return current().databaseName;
    },
    drop: () => current().drop(),
  };
}
