import { isAttributionError } from './attribution.errors';
import { type AttributionTouch, resolveAttribution } from './resolve-attribution';

const DAY = 86_400_000;
const T = new Date('2026-03-01T12:00:00.000Z').getTime();
const at = (offsetMs: number) => new Date(T + offsetMs);

function touch(id: string, kind: AttributionTouch['kind'], offsetMs: number, extra: Partial<AttributionTouch> = {}): AttributionTouch {
  return { id, kind, touchedAt: at(offsetMs), accepted: true, saleAttributedAt: null, ...extra };
}

describe('resolveAttribution', () => {
  describe('the six outcomes', () => {
    it('affiliate then referral, no prior affiliate sale: the referral wins', () => {
      const outcome = resolveAttribution([touch('1', 'affiliate', 0), touch('2', 'referral', DAY)], at(2 * DAY));
      expect(outcome).toMatchObject({ winner: 'referral', touch: { id: '2' }, reason: 'referral_over_affiliate' });
    });

    it('an affiliate sale before the referral touch: the affiliate keeps the customer', () => {
      const affiliate = touch('1', 'affiliate', 0, { saleAttributedAt: at(DAY / 2) });
      const outcome = resolveAttribution([affiliate, touch('2', 'referral', DAY)], at(2 * DAY));
      expect(outcome).toMatchObject({ winner: 'affiliate', touch: { id: '1' }, reason: 'affiliate_sale_before_referral' });
    });

    it('referral then affiliate: the referral wins', () => {
      const outcome = resolveAttribution([touch('1', 'referral', 0), touch('2', 'affiliate', DAY)], at(2 * DAY));
      expect(outcome).toMatchObject({ winner: 'referral', touch: { id: '1' }, reason: 'referral_over_affiliate' });
    });

    it('only an affiliate touch: the affiliate wins', () => {
      expect(resolveAttribution([touch('1', 'affiliate', 0)], at(DAY))).toMatchObject({ winner: 'affiliate', touch: { id: '1' }, reason: 'affiliate_only' });
    });

    it('only a referral touch: the referral wins', () => {
      expect(resolveAttribution([touch('1', 'referral', 0)], at(DAY))).toMatchObject({ winner: 'referral', touch: { id: '1' }, reason: 'referral_only' });
    });

    it('all expired or invalid: nobody wins', () => {
      const outcome = resolveAttribution(
        [touch('1', 'referral', 0), touch('2', 'affiliate', DAY), touch('3', 'referral', 40 * DAY, { accepted: false })],
        at(45 * DAY),
      );
      expect(outcome).toEqual({
        winner: 'none',
        touch: null,
        reason: 'no_valid_touch',
        verdicts: [
          { touchId: '1', kind: 'referral', verdict: 'expired' },
          { touchId: '2', kind: 'affiliate', verdict: 'expired' },
          { touchId: '3', kind: 'referral', verdict: 'not_accepted' },
        ],
      });
      expect(resolveAttribution([], at(0))).toMatchObject({ winner: 'none', reason: 'no_valid_touch', verdicts: [] });
    });
  });

  describe('the window: valid while conversion_time < touched_at + window', () => {
    const window = 30 * DAY;
    it('one millisecond before the window ends the touch is valid', () => {
      expect(resolveAttribution([touch('1', 'referral', 0)], at(window - 1)).winner).toBe('referral');
    });

    it('at the instant the window ends the touch has expired', () => {
      expect(resolveAttribution([touch('1', 'referral', 0)], at(window))).toMatchObject({ winner: 'none', verdicts: [{ verdict: 'expired' }] });
    });

    it('a conversion in the same millisecond as the touch is inside the window', () => {
      expect(resolveAttribution([touch('1', 'affiliate', 0)], at(0)).winner).toBe('affiliate');
    });

    it('the window comes from the program (windowDays), to the millisecond as well', () => {
      expect(resolveAttribution([touch('1', 'referral', 0)], at(7 * DAY - 1), { windowDays: 7 }).winner).toBe('referral');
      expect(resolveAttribution([touch('1', 'referral', 0)], at(7 * DAY), { windowDays: 7 }).winner).toBe('none');
    });

    it('an expired referral touch does not beat a valid affiliate touch', () => {
      const outcome = resolveAttribution([touch('1', 'referral', 0), touch('2', 'affiliate', 20 * DAY)], at(31 * DAY));
      expect(outcome).toMatchObject({ winner: 'affiliate', touch: { id: '2' }, reason: 'affiliate_only' });
    });

    it('a touch after the conversion cannot have caused it', () => {
      const outcome = resolveAttribution([touch('1', 'affiliate', 0), touch('2', 'referral', DAY + 1)], at(DAY));
      expect(outcome).toMatchObject({ winner: 'affiliate', reason: 'affiliate_only' });
      expect(outcome.verdicts).toContainEqual({ touchId: '2', kind: 'referral', verdict: 'after_conversion' });
    });
  });

  describe('several touches', () => {
    it('several valid referral touches: the oldest wins, whatever the input order', () => {
      const touches = [touch('3', 'referral', 3 * DAY), touch('1', 'referral', DAY), touch('2', 'referral', 2 * DAY)];
      expect(resolveAttribution(touches, at(4 * DAY)).touch?.id).toBe('1');
      expect(resolveAttribution([...touches].reverse(), at(4 * DAY)).touch?.id).toBe('1');
    });

    it('the oldest referral touch expired: the oldest still valid one wins', () => {
      const touches = [touch('1', 'referral', 0), touch('2', 'referral', 10 * DAY), touch('3', 'referral', 20 * DAY)];
      expect(resolveAttribution(touches, at(35 * DAY)).touch?.id).toBe('2');
    });

    it('no valid referral touch: the oldest valid affiliate touch wins', () => {
      const touches = [touch('2', 'affiliate', 2 * DAY), touch('1', 'affiliate', DAY), touch('9', 'referral', 0, { accepted: false })];
      expect(resolveAttribution(touches, at(3 * DAY))).toMatchObject({ winner: 'affiliate', touch: { id: '1' } });
    });

    it('touches in the same millisecond are ordered by id, numerically', () => {
      expect(resolveAttribution([touch('10', 'referral', 0), touch('9', 'referral', 0)], at(DAY)).touch?.id).toBe('9');
    });

    it('an affiliate sale at the very instant of the referral touch is not "before" it: the referral wins', () => {
      const outcome = resolveAttribution([touch('1', 'affiliate', 0, { saleAttributedAt: at(DAY) }), touch('2', 'referral', DAY)], at(2 * DAY));
      expect(outcome).toMatchObject({ winner: 'referral', reason: 'referral_over_affiliate' });
    });

    it('an affiliate sold after the (oldest valid) referral touch does not keep the customer', () => {
      const touches = [touch('1', 'affiliate', 0, { saleAttributedAt: at(3 * DAY) }), touch('2', 'referral', DAY), touch('3', 'referral', 4 * DAY)];
      expect(resolveAttribution(touches, at(5 * DAY))).toMatchObject({ winner: 'referral', touch: { id: '2' } });
    });

    it('a sale-attributed affiliate touch that expired does not keep the customer', () => {
      const touches = [touch('1', 'affiliate', 0, { saleAttributedAt: at(DAY) }), touch('2', 'referral', 25 * DAY)];
      expect(resolveAttribution(touches, at(31 * DAY))).toMatchObject({ winner: 'referral', reason: 'referral_only' });
    });

    it('a not accepted affiliate touch, even sale-attributed, never wins', () => {
      const touches = [touch('1', 'affiliate', 0, { accepted: false, saleAttributedAt: at(0) }), touch('2', 'referral', DAY)];
      expect(resolveAttribution(touches, at(2 * DAY))).toMatchObject({ winner: 'referral', reason: 'referral_only' });
    });
  });

  describe('bad input', () => {
    it('an invalid conversion time is a typed error with a code and path', () => {
      let error: unknown;
      try {
        resolveAttribution([], new Date('not a date'));
      } catch (e) {
        error = e;
      }
      expect(isAttributionError(error, 'input_invalid')).toBe(true);
      expect(error).toMatchObject({ issues: [{ code: 'time_invalid', path: 'conversionTime' }] });
    });

    it('a window that is not a positive whole number of days is refused', () => {
      expect(() => resolveAttribution([], at(0), { windowDays: 0 })).toThrow(expect.objectContaining({ code: 'input_invalid' }));
      expect(() => resolveAttribution([], at(0), { windowDays: 1.5 })).toThrow(expect.objectContaining({ code: 'input_invalid' }));
    });
  });
});
