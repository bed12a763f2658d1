import { type Referral, type SignupResult, type Touch } from '@referrals/attribution';
import { refereeRegistration } from './signups';

const touch = (overrides: Partial<Touch> = {}): Touch => ({
  id: '41',
  kind: 'referral',
  anonymousId: 'anon-1',
  userId: 'bob',
  product: 'kilo_pass',
  programKey: 'kilo-pass-referrals',
  saasquatchCookie: 'opaque-cookie',
  referralCode: null,
  clickId: null,
  metadata: { rsCode: 'ADA1' },
  landingPath: null,
  status: 'accepted',
  accepted: true,
  truncated: {},
  touchedAt: new Date('2026-12-01T00:00:00Z'),
  associatedAt: new Date('2026-12-01T00:10:00Z'),
  saleAttributedAt: null,
  saleAttributedConversionId: null,
  ...overrides,
});

const result = (decidedFrom: Touch | null, status: Referral['status'] = 'qualified'): SignupResult => ({
  outcome: 'referral_recorded',
  referral: { refereeUserId: 'bob', status } as Referral,
  replayed: false,
  associatedTouches: 1,
  signedUpAt: new Date('2026-12-01T00:10:00Z'),
  decidedFrom,
});

describe('refereeRegistration [50, 52]', () => {
  it('a referral decided from a _saasquatch touch registers the referee in the touch\'s program with the touch\'s cookie', () => {
    expect(refereeRegistration(result(touch()), 'bob@example.com')).toEqual({
      programKey: 'kilo-pass-referrals',
      product: 'kilo_pass',
      userId: 'bob',
      participant: { id: 'bob@example.com', accountId: 'bob@example.com', email: 'bob@example.com', cookies: 'opaque-cookie' },
    });
  });

  it('a referral without a program (no_program) still registers the referee', () => {
    expect(refereeRegistration(result(touch(), 'no_program'), 'bob@example.com')).not.toBeNull();
  });

  it('queues nothing for a native-code touch, a disqualified referral, a replay or no referral touch', () => {
    expect(refereeRegistration(result(touch({ saasquatchCookie: null, referralCode: 'ADA1' })), 'bob@example.com')).toBeNull();
    expect(refereeRegistration(result(touch(), 'disqualified'), 'bob@example.com')).toBeNull();
    expect(refereeRegistration(result(null), 'bob@example.com')).toBeNull();
    expect(refereeRegistration({ ...result(null), outcome: 'no_referral_touch', referral: null }, 'bob@example.com')).toBeNull();
  });
});
