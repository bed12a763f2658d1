import { DATATYPES } from './datatypes';
import { isUnary, OPERATORS, OPERATORS_BY_DATATYPE, operatorAccepts, valueDatatypeFor } from './operators';

describe('the operator table', () => {
  it('gives every datatype equality and presence tests', () => {
    for (const datatype of DATATYPES) {
      for (const operator of ['eq', 'neq', 'is_set', 'is_not_set'] as const) expect(operatorAccepts(operator, datatype)).toBe(true);
    }
  });

  it('orders numbers, money and instants only', () => {
    const ordered = DATATYPES.filter((datatype) => operatorAccepts('lt', datatype));
    expect(ordered).toEqual(['int', 'decimal', 'money', 'datetime']);
  });

  it('tests membership of scalars that have a list type, and containment on lists', () => {
    expect(DATATYPES.filter((t) => operatorAccepts('in', t))).toEqual(['int', 'string']);
    expect(DATATYPES.filter((t) => operatorAccepts('contains', t))).toEqual(['list[int]', 'list[string]']);
  });

  it('keeps truth tests for bools', () => {
    expect(DATATYPES.filter((t) => operatorAccepts('is_true', t))).toEqual(['bool']);
  });

  it('uses only known operators', () => {
    for (const operators of Object.values(OPERATORS_BY_DATATYPE)) for (const operator of operators) expect(OPERATORS).toContain(operator);
  });
});

describe('valueDatatypeFor', () => {
  it('expects the subject type, its list, or its element', () => {
    expect(valueDatatypeFor('gte', 'money')).toBe('money');
    expect(valueDatatypeFor('not_in', 'string')).toBe('list[string]');
    expect(valueDatatypeFor('contains', 'list[int]')).toBe('int');
  });

  it('expects nothing for unary operators or rejected combinations', () => {
    expect(isUnary('is_true')).toBe(true);
    expect(valueDatatypeFor('is_true', 'bool')).toBeUndefined();
    expect(valueDatatypeFor('lt', 'string')).toBeUndefined();
  });
});
