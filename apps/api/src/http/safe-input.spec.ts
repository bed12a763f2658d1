import { MAX_INPUT_DEPTH, unsafeInputDetails } from './safe-input';

const nest = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { x: value };
  return value;
};

describe('unsafeInputDetails: NUL, lone surrogates and nesting depth, named by field', () => {
  it('accepts ordinary text, emoji (surrogate pairs) and every other type', () => {
    expect(unsafeInputDetails('body', { a: 'héllo 👋 𝄞', b: [1, true, null, { c: '\t\n' }] })).toEqual([]);
  });

  it('names the field of a NUL, a lone high or low surrogate, and of a bad key', () => {
    expect(unsafeInputDetails('body', { a: 'x\u0000', b: ['\ud83d'], c: { d: '\udc4b!' }, e: { 'k\u0000': 1 }, 'f g': '\ud800' })).toEqual([
      { path: 'body.a', message: expect.stringContaining('NUL') },
      { path: 'body.b[0]', message: expect.stringContaining('lone surrogate') },
      { path: 'body.c.d', message: expect.stringContaining('lone surrogate') },
      { path: 'body.e', message: expect.stringContaining('key') },
      { path: 'body["f g"]', message: expect.stringContaining('lone surrogate') },
    ]);
  });

  it(`allows ${MAX_INPUT_DEPTH} levels of nesting and refuses one more, even 100,000 deep without overflowing the stack`, () => {
    expect(unsafeInputDetails('body', nest(MAX_INPUT_DEPTH))).toEqual([]);
    expect(unsafeInputDetails('body', nest(MAX_INPUT_DEPTH + 1))).toEqual([{ path: `body${'.x'.repeat(MAX_INPUT_DEPTH)}`, message: expect.stringContaining(`${MAX_INPUT_DEPTH}`) }]);
    expect(unsafeInputDetails('body', nest(100_000))).toHaveLength(1);
  });
});
