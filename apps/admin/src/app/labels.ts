export { type Operator, type Phase, UNARY_OPERATORS } from '@referrals/rule-dsl';

/** How a datatype reads next to a subject. */
export function subjectDatatypeLabel(datatype: string): string {
  return datatype.startsWith('list') ? `${datatype}, comma-separated` : datatype;
}
