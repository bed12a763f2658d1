import path from 'node:path';
import { hostPortVar, optionalVar, portVar, postgresUrlVar } from '@referrals/config';
import { z } from 'zod';

export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

/** Environment of the dev-stack launcher; every value has a default, so `npm start` needs none. */
export const stackEnvSchema = z.object({
  /** An existing PostgreSQL server; unset means the embedded one. */
  DATABASE_URL: optionalVar.pipe(postgresUrlVar.optional()),
  /** An existing Temporal frontend; unset means a dev server started here. */
  TEMPORAL_ADDRESS: optionalVar.pipe(hostPortVar.optional()),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_CLI_PATH: optionalVar,
  /** Embedded PostgreSQL; the default avoids 5432, which a system server often holds. */
  POSTGRES_PORT: portVar(55432),
  TEMPORAL_PORT: portVar(7233),
  TEMPORAL_UI_PORT: portVar(8233),
  API_PORT: portVar(3000),
  DATA_DIR: z.string().default(path.join(WORKSPACE_ROOT, '.data')),
});

export type StackEnv = z.infer<typeof stackEnvSchema>;
