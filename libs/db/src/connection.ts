import pg from 'pg';
import { Sequelize, type Options } from 'sequelize';

export interface ConnectionOptions {
  /** postgres://user:password@host:port/database */
  databaseUrl: string;
  /** Pool size per process; api replicas multiply it. */
  poolMax?: number;
  /** Fail a connection attempt after this long instead of hanging a request. */
  connectTimeoutMs?: number;
  /** Receives each SQL statement; off by default because statements may hold personal data. */
  logSql?: (sql: string) => void;
}

/** Builds the one Sequelize instance a process uses. Sequelize connects lazily, on first query. */
export function createSequelize(options: ConnectionOptions): Sequelize {
  const config: Options = {
    dialect: 'postgres',
    dialectModule: pg,
    logging: options.logSql ?? false,
    pool: { max: options.poolMax ?? 10, min: 0, idle: 10_000, acquire: 30_000 },
    dialectOptions: { connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000 },
    define: { underscored: true, timestamps: false },
    // Timestamps are stored and compared in UTC, whatever the host's zone.
    timezone: '+00:00',
  };
  return new Sequelize(options.databaseUrl, config);
}

/** The URL with its password replaced, for logs and error messages. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

/** True when Postgres answers a trivial query within the timeout. */
export async function pingDatabase(sequelize: Sequelize, timeoutMs = 2_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sequelize.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
