import { DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS } from '@referrals/workflows';
import { workerEnvSchema, workflowSettingsOf } from './config';

const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', ...extra });

describe('worker configuration: delivery heartbeat timeout', () => {
  it('reaches the workflows as deliveryHeartbeatTimeoutMs, 5 seconds unless DELIVERY_HEARTBEAT_TIMEOUT_MS says otherwise', () => {
    expect(workflowSettingsOf(workerEnvSchema.parse(env())).deliveryHeartbeatTimeoutMs).toBe(DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS);
    expect(workflowSettingsOf(workerEnvSchema.parse(env({ DELIVERY_HEARTBEAT_TIMEOUT_MS: '3000' }))).deliveryHeartbeatTimeoutMs).toBe(3_000);
  });

  it('refuses a heartbeat timeout under a second or over a minute (it must detect a dead worker well before the 2-minute attempt timeout)', () => {
    for (const value of ['500', '60001', 'soon', '2.5']) {
      expect(workerEnvSchema.safeParse(env({ DELIVERY_HEARTBEAT_TIMEOUT_MS: value })).success).toBe(false);
    }
  });
});
