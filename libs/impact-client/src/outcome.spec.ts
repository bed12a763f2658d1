import { disabled, isRetryable, isSuccess, ok, permanent, transient } from './outcome';

describe('outcome constructors', () => {
  it('leave unknown details out instead of setting them to undefined', () => {
    expect(Object.keys(transient('timeout', 'slow', 'req'))).toEqual(['kind', 'code', 'message', 'requestId']);
    expect(permanent('bad_request', 'no', 'req')).toEqual({ kind: 'permanent', code: 'bad_request', message: 'no', fieldErrors: [], requestId: 'req' });
  });
});

describe('isSuccess and isRetryable', () => {
  it('count ok and already_redeemed as done, and only transient as retryable', () => {
    const alreadyRedeemed = { kind: 'already_redeemed' as const, rewardId: 'r', message: 'm', requestId: 'req' };
    expect(isSuccess(ok(1, 'req'))).toBe(true);
    expect(isSuccess(alreadyRedeemed)).toBe(true);
    expect(isSuccess(transient('timeout', 'm', 'req'))).toBe(false);
    expect(isRetryable(transient('timeout', 'm', 'req'))).toBe(true);
    expect(isRetryable(permanent('not_found', 'm', 'req'))).toBe(false);
    expect(isRetryable(disabled('impact_product_not_configured', 'kilo_pass', 'm', 'req'))).toBe(false);
  });
});
