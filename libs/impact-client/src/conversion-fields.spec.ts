import { createHash } from 'node:crypto';
import { hashCustomerEmail, orderIdFor } from './conversion-fields';

describe('hashCustomerEmail', () => {
  it('is the SHA-1 hex of the trimmed, lower-cased address', () => {
    const expected = createHash('sha1').update('ada@example.com').digest('hex');
    expect(hashCustomerEmail('  Ada@Example.COM ')).toBe(expected);
    expect(hashCustomerEmail('ada@example.com')).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('orderIdFor', () => {
  it('keeps a printable source id of at most 64 characters as it is', () => {
    expect(orderIdFor('in_1PaymentSource')).toBe('in_1PaymentSource');
    expect(orderIdFor('x'.repeat(64))).toBe('x'.repeat(64));
  });

  it('turns longer or non-printable ids into their SHA-256 hex, deterministically', () => {
    const long = 'x'.repeat(65);
    expect(orderIdFor(long)).toBe(createHash('sha256').update(long).digest('hex'));
    expect(orderIdFor(long)).toBe(orderIdFor(long));
    expect(orderIdFor('with space')).toHaveLength(64);
  });
});
