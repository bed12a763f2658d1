import { sanitizeLandingPath } from './landing-path';
import { assessTouch, storeTrackingValue } from './tracking-values';

const known = { productKnown: true, programKnown: true };

describe('storeTrackingValue', () => {
  it('keeps a value of exactly 512 characters as is', () => {
    expect(storeTrackingValue('a'.repeat(512))).toEqual({ stored: 'a'.repeat(512), originalLength: null });
  });

  it('cuts a 513-character value to 512 and reports the original length', () => {
    expect(storeTrackingValue('b'.repeat(513))).toEqual({ stored: 'b'.repeat(512), originalLength: 513 });
  });

  it('never cuts a character in half', () => {
    const value = `${'c'.repeat(511)}😀tail`;
    const { stored } = storeTrackingValue(value);
    expect(stored).toBe('c'.repeat(511));
  });

  it('an empty value is no value (the storefront sends "" when there is no referral)', () => {
    expect(storeTrackingValue('')).toEqual({ stored: null, originalLength: null });
  });

  it('is opaque: no trimming, decoding or parsing', () => {
    expect(storeTrackingValue(' %7B"a":1%7D ').stored).toBe(' %7B"a":1%7D ');
  });
});

describe('assessTouch', () => {
  it('a referral touch needs a _saasquatch value or a native code', () => {
    expect(assessTouch({ kind: 'referral', ...known }).status).toBe('value_missing');
    expect(assessTouch({ kind: 'referral', saasquatchCookie: '', ...known }).status).toBe('value_missing');
    expect(assessTouch({ kind: 'referral', saasquatchCookie: 'opaque', ...known }).status).toBe('accepted');
    expect(assessTouch({ kind: 'referral', referralCode: 'JANE10', ...known }).status).toBe('accepted');
  });

  it('[28] SaaSquatch metadata alone (rsCode) is kept for diagnostics, never a valid referral touch', () => {
    const assessment = assessTouch({ kind: 'referral', rsCode: 'JANE10', ...known });
    expect(assessment).toMatchObject({ status: 'value_missing', rsCode: 'JANE10', saasquatchCookie: null, referralCode: null });
    expect(assessTouch({ kind: 'referral', saasquatchCookie: 'opaque', rsCode: 'JANE10', ...known }).status).toBe('accepted');
  });

  it('an affiliate touch needs its im_ref click id', () => {
    expect(assessTouch({ kind: 'affiliate', ...known }).status).toBe('value_missing');
    expect(assessTouch({ kind: 'affiliate', clickId: 'click', ...known }).status).toBe('accepted');
  });

  it('any tracking value over 512 characters makes the touch not accepted, and says which', () => {
    const assessment = assessTouch({ kind: 'referral', saasquatchCookie: 'x'.repeat(600), rsCode: 'y'.repeat(513), ...known });
    expect(assessment).toMatchObject({ status: 'value_too_long', truncated: { saasquatchCookie: 600, 'metadata.rsCode': 513 } });
    expect(assessment.saasquatchCookie).toHaveLength(512);
  });

  it('an unresolvable product or program comes first: the touch is for diagnostics only', () => {
    expect(assessTouch({ kind: 'affiliate', clickId: 'x'.repeat(600), productKnown: false, programKnown: true }).status).toBe('product_unknown');
    expect(assessTouch({ kind: 'affiliate', productKnown: true, programKnown: false }).status).toBe('program_unknown');
    expect(assessTouch({ kind: 'referral', saasquatchCookie: 'opaque', productKnown: true, programKnown: false }).status).toBe('program_unknown');
  });

  it('[35] a touch naming no program that resolves none is diagnostics only, after its value problems', () => {
    expect(assessTouch({ kind: 'referral', saasquatchCookie: 'opaque', ...known, programResolved: false }).status).toBe('program_unknown');
    expect(assessTouch({ kind: 'referral', saasquatchCookie: '', ...known, programResolved: false }).status).toBe('value_missing');
    expect(assessTouch({ kind: 'referral', saasquatchCookie: 'x'.repeat(513), ...known, programResolved: false }).status).toBe('value_too_long');
  });
});

describe('sanitizeLandingPath', () => {
  it.each([
    ['/pricing?rsCode=JANE10&token=secret#frag', '/pricing'],
    ['https://user:pass@kilo.example.com/r/jane?email=a@b.c', '/r/jane'],
    ['https://kilo.example.com', '/'],
    ['//kilo.example.com/x?y', '/x'],
    ['/account;jsessionid=ABC123/settings', '/account/settings'],
    ['welcome#/?code=oauth', '/welcome'],
    ['', '/'],
  ])('%s -> %s (query, fragment, credentials, host and path parameters dropped)', (input, expected) => {
    expect(sanitizeLandingPath(input)).toBe(expected);
  });
});
