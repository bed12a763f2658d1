import { EXTERNAL_ID_MAX_LENGTH } from '@referrals/config';
import { deliveryBusinessIds, deliveryKeys, deliveryRequestId, REQUEST_ID_MAX_LENGTH } from './delivery-keys';

describe('delivery request ids stay within what Impact and the delivery records hold', () => {
  const longest = 'u'.repeat(EXTERNAL_ID_MAX_LENGTH);

  it('keeps a short delivery key readable: <key>:attempt-<n>', () => {
    expect(deliveryRequestId(deliveryKeys.rewardRedemption('42'), 3)).toBe('impact-advocate-reward-redemption:42:attempt-3');
  });

  it('cuts a key built from ids of the longest accepted length, and still tells two such keys apart', () => {
    const a = deliveryKeys.participantRegistration('kilo-pass-referrals', `${longest.slice(1)}a`, null);
    const b = deliveryKeys.participantRegistration('kilo-pass-referrals', `${longest.slice(1)}b`, null);
    const sale = deliveryKeys.referralSale({ product: 'kilo_pass', provider: 'stripe', sourceId: longest });
    for (const key of [a, b, sale]) {
      expect(key.length).toBeGreaterThan(REQUEST_ID_MAX_LENGTH);
      for (const attempt of [1, 99, 12345]) {
        const id = deliveryRequestId(key, attempt);
        expect(id.length).toBeLessThanOrEqual(REQUEST_ID_MAX_LENGTH);
        expect(id.endsWith(`:attempt-${attempt}`)).toBe(true);
      }
    }
    expect(deliveryRequestId(a, 1)).not.toBe(deliveryRequestId(b, 1));
    expect(deliveryRequestId(a, 1)).toBe(deliveryRequestId(a, 1));
    expect(deliveryBusinessIds.participantRegistration('kilo-pass-referrals', longest)).toContain(longest);
  });
});
