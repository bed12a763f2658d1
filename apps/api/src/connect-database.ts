import { ConfigError } from '@referrals/config';
import { createSequelize, pingDatabase, redactDatabaseUrl } from '@referrals/db';
import { type Sequelize } from 'sequelize';

/**
 * Connects at boot and fails fast, naming DATABASE_URL, when the server cannot be reached: a wrong
 * URL is a configuration problem, better reported once at start than as 503s forever.
 */
export async function connectDatabase(databaseUrl: string): Promise<Sequelize> {
  const sequelize = createSequelize({ databaseUrl });
  try {
    await pingDatabase(sequelize, 5_000);
    return sequelize;
  } catch (error) {
    await sequelize.close().catch(() => undefined);
    const reason = (error as { parent?: { code?: string }; message?: string }).parent?.code ?? (error as Error).message;
    throw new ConfigError('DATABASE_URL', `cannot be reached (${redactDatabaseUrl(databaseUrl)}: ${reason})`);
  }
}
