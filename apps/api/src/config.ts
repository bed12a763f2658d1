import { hostPortVar, logLevelVar, parseEnv, portVar, postgresUrlVar } from '@referrals/config';
import { z } from 'zod';

export const apiEnvSchema = z.object({
  API_PORT: portVar(3000),
  /** Interface to listen on; 0.0.0.0 in containers. */
  API_HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: postgresUrlVar,
  TEMPORAL_ADDRESS: hostPortVar.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  LOG_LEVEL: logLevelVar,
  /** Largest accepted request body; bigger ones get 413 before any parsing. */
  API_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'must be a size like 100kb').default('100kb'),
});

export type ApiConfig = z.infer<typeof apiEnvSchema>;

/** Reads the api's configuration; throws a ConfigError naming the first bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseEnv(apiEnvSchema, env);
}
