import { canonicalJson, contentHash } from './content-hash';

describe('contentHash', () => {
  it('is the same for the same content whatever the key order', () => {
    expect(contentHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(contentHash({ b: { d: 'x', c: [1, 2] }, a: 1 }));
  });

  it('differs when any value differs, including array order', () => {
    expect(contentHash({ a: [1, 2] })).not.toBe(contentHash({ a: [2, 1] }));
    expect(contentHash({ amount: 100 })).not.toBe(contentHash({ amount: 101 }));
  });

  it('ignores undefined members and writes dates as ISO instants', () => {
    expect(canonicalJson({ a: undefined, b: new Date('2026-01-02T03:04:05.000Z') })).toBe('{"b":"2026-01-02T03:04:05.000Z"}');
  });
});
