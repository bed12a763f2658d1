import { z } from 'zod';
import { DomainError, type DomainErrorOptions, isDomainError } from './domain-error';
import { formatIssuePath, inputParser, parseInput } from './parse-input';

class ShopError extends DomainError<'input_invalid' | 'shop_closed'> {
  constructor(code: 'input_invalid' | 'shop_closed', message: string, options: DomainErrorOptions = {}) {
    super(code, message, options);
    this.name = 'ShopError';
  }
}

const orderSchema = z.strictObject({
  customer: z.string().min(1).max(5),
  lines: z.array(z.strictObject({ sku: z.string(), quantity: z.int().min(1).max(10) })).max(3),
  placedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be a time', params: { issueCode: 'time_invalid' } }),
});

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseInput', () => {
  it('returns the parsed value of a valid input', () => {
    const order = { customer: 'ada', lines: [{ sku: 'a', quantity: 2 }], placedAt: '2026-01-01T00:00:00Z' };
    expect(parseInput(orderSchema, order, 'placeOrder')).toEqual(order);
  });

  it('throws one input_invalid DomainError listing every problem with a code and a bracketed path', () => {
    const error = thrown(() =>
      parseInput(orderSchema, { customer: 'adalovelace', lines: [{ sku: 'a', quantity: 0 }, { sku: 'b', quantity: 11, colour: 'red' }], placedAt: 'soon', note: 'x' }, 'placeOrder'),
    );
    expect(isDomainError(error, 'input_invalid')).toBe(true);
    const e = error as DomainError;
    expect(e.retryable).toBe(false);
    expect(e.details).toEqual({ operation: 'placeOrder' });
    expect(e.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'field_too_long', path: 'customer' }),
        expect.objectContaining({ code: 'field_invalid', path: 'lines[0].quantity' }),
        expect.objectContaining({ code: 'field_invalid', path: 'lines[1].quantity' }),
        { code: 'field_unknown', path: 'lines[1].colour', message: 'is not a field of this input' },
        { code: 'time_invalid', path: 'placedAt', message: 'must be a time' },
        { code: 'field_unknown', path: 'note', message: 'is not a field of this input' },
      ]),
    );
    expect(e.issues).toHaveLength(6);
    expect(e.message).toMatch(/^placeOrder: /);
    expect(e.message).toContain('lines[1].colour is not a field of this input');
  });

  it('names a missing field field_required, and an invalid whole input by the path ""', () => {
    const missing = thrown(() => parseInput(orderSchema, { lines: [], placedAt: '2026-01-01T00:00:00Z' }, 'placeOrder')) as DomainError;
    expect(missing.issues).toEqual([{ code: 'field_required', path: 'customer', message: 'is required' }]);
    const whole = thrown(() => parseInput(orderSchema, 'nope', 'placeOrder')) as DomainError;
    expect(whole.issues).toEqual([expect.objectContaining({ code: 'field_invalid', path: '' })]);
    expect(whole.message).toMatch(/^placeOrder: \(input\) /);
  });

  it("throws the lib's own error class when given one, so the lib's guards keep working", () => {
    const parse = inputParser(ShopError);
    const error = thrown(() => parse(orderSchema, {}, 'placeOrder'));
    expect(error).toBeInstanceOf(ShopError);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ name: 'ShopError', code: 'input_invalid' });
    expect(thrown(() => parseInput(orderSchema, {}, 'placeOrder', ShopError))).toBeInstanceOf(ShopError);
  });
});

describe('formatIssuePath', () => {
  it('joins names with dots and writes array indexes in brackets', () => {
    expect(formatIssuePath(['rewardRules', 0, 'operator'])).toBe('rewardRules[0].operator');
    expect(formatIssuePath([0, 'a', 1, 2])).toBe('[0].a[1][2]');
    expect(formatIssuePath([])).toBe('');
  });
});

describe('DomainError', () => {
  it('takes (code, message, { issues, details, retryable }) with empty issues, empty details and not retryable by default', () => {
    const plain = new DomainError('shop_closed', 'closed');
    expect(plain).toMatchObject({ code: 'shop_closed', message: 'closed', issues: [], details: {}, retryable: false, name: 'DomainError' });
    const full = new ShopError('shop_closed', 'closed until 9', { details: { opensAt: 9 }, retryable: true, issues: [{ code: 'x', path: 'p', message: 'm' }] });
    expect(full).toMatchObject({ details: { opensAt: 9 }, retryable: true, issues: [{ code: 'x', path: 'p', message: 'm' }] });
  });

  it('is recognised by isDomainError, optionally by code, and nothing else is', () => {
    expect(isDomainError(new ShopError('shop_closed', 'x'))).toBe(true);
    expect(isDomainError(new ShopError('shop_closed', 'x'), 'shop_closed')).toBe(true);
    expect(isDomainError(new ShopError('shop_closed', 'x'), 'input_invalid')).toBe(false);
    expect(isDomainError(new Error('x'))).toBe(false);
    expect(isDomainError({ code: 'shop_closed', message: 'x' })).toBe(false);
  });
});
