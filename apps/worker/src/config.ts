import { hostPortVar, logLevelVar, parseEnv, postgresUrlVar } from '@referrals/config';
import { TASK_QUEUE } from '@referrals/workflows';
import { z } from 'zod';

export const workerEnvSchema = z.object({
  DATABASE_URL: postgresUrlVar,
  TEMPORAL_ADDRESS: hostPortVar.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  LOG_LEVEL: logLevelVar,
});

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  return parseEnv(workerEnvSchema, env);
}
