import { redactEmail, redactIdentifier, redactOpaque, redactSecret, scrubText } from './redact';

describe('redactOpaque', () => {
  it('keeps at most 6 leading characters and the length', () => {
    expect(redactOpaque('eyJhcHAucmVmZXJyYWxzYWFzcXVhdGNoLmNvbSI6e30')).toBe('eyJhcH…[43 chars]');
  });

  it('keeps at most a quarter of a short value', () => {
    expect(redactOpaque('abcdefgh')).toBe('ab…[8 chars]');
    expect(redactOpaque('abc')).toBe('…[3 chars]');
  });

  it('passes empty and missing values through', () => {
    expect(redactOpaque('')).toBe('');
    expect(redactOpaque(undefined)).toBeUndefined();
    expect(redactOpaque(null)).toBeUndefined();
  });
});

describe('redactEmail', () => {
  it('keeps two letters of the local part, the first of the domain and the top-level domain', () => {
    expect(redactEmail('john.doe@example.com')).toBe('jo***@e***.com');
  });

  it('keeps at most half of a short local part', () => {
    expect(redactEmail('a@b.io')).toBe('***@b***.io');
  });

  it('treats a value without @ as opaque', () => {
    expect(redactEmail('not-an-email-address')).toBe('not-a…[20 chars]');
  });
});

describe('redactIdentifier', () => {
  it('redacts ids that are emails and keeps the others', () => {
    expect(redactIdentifier('ada@example.com')).toBe('a***@e***.com');
    expect(redactIdentifier('user-123')).toBe('user-123');
  });
});

describe('redactSecret', () => {
  it('keeps nothing of the value', () => {
    expect(redactSecret('Basic OmZha2UtdG9rZW4=')).toBe('[redacted]');
  });
});

describe('scrubText', () => {
  it('replaces emails and long token-like runs in free text', () => {
    const text = 'Bad cookie eyJhcHAucmVmZXJyYWxzYWFzcXVhdGNoLmNvbSI6e30 for Ada.Lovelace@Example.com';
    expect(scrubText(text)).toBe('Bad cookie eyJhcH…[43 chars] for Ad***@E***.com');
  });

  it('keeps short words and codes', () => {
    expect(scrubText('Reward already redeemed (RS033)')).toBe('Reward already redeemed (RS033)');
  });

  it('cuts long text', () => {
    expect(scrubText('word '.repeat(200)).length).toBeLessThanOrEqual(501);
  });
});
