import { type Operator, minorUnitDigits } from '@referrals/rule-dsl';
import { type ProgramForm } from './form';

/** Operators as the reference reads them ("is at least"); the code stays the option's value. */
export const OPERATOR_WORDS: Record<Operator, string> = {
  eq: 'is',
  neq: 'is not',
  lt: 'is less than',
  lte: 'is at most',
  gt: 'is more than',
  gte: 'is at least',
  in: 'is one of',
  not_in: 'is not one of',
  contains: 'contains',
  not_contains: 'does not contain',
  is_set: 'is set',
  is_not_set: 'is not set',
  is_true: 'is true',
  is_false: 'is false',
};

export const operatorWords = (op: string): string => OPERATOR_WORDS[op as Operator] ?? op;

/** `{amountMinor: 750, currency: 'USD'}` -> `7.50 USD`. */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return `${(amountMinor / 10 ** digits).toFixed(digits)} ${currency}`;
}

/** A reward as Simulate shows it: money as money, periods and credits in words. */
export function rewardWords(reward: Record<string, unknown>): string {
  const money = (v: unknown) =>
    typeof v === 'object' && v !== null && typeof (v as { amountMinor?: unknown }).amountMinor === 'number'
      ? formatMoney((v as { amountMinor: number }).amountMinor, String((v as { currency?: unknown }).currency ?? ''))
      : undefined;
  const type = reward['type'];
  const amount = money(reward['amount']);
  if ((type === 'money' || type === 'fixed') && amount) return amount;
  if (type === 'percent') return `${String(reward['percent'])}% of ${String(reward['of'])}${amount ? ` = ${amount}` : ''}`;
  if (type === 'free_period') return `${String(reward['count'])} free ${String(reward['unit'])}${reward['count'] === 1 ? '' : 's'}`;
  if (type === 'credits') return `${String(reward['credits'])} credits`;
  return Object.entries(reward)
    .map(([k, v]) => `${k} ${money(v) ?? (typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
    .join(', ');
}

const FIELD_WORDS: Record<string, string> = {
  key: 'Key',
  name: 'Name',
  description: 'Description',
  product: 'Product',
  status: 'Status',
  priority: 'Priority',
  trigger: 'Trigger event',
  'schedule.startAt': 'Start (start_date)',
  'schedule.frozenAt': 'Frozen (frozen_date)',
  'schedule.endAt': 'End (end_date)',
  schedule: 'Schedule',
  'limits.attributionWindowDays': 'Attribution window',
  'limits.referrerRewardCap': 'Referrer reward cap',
  'limits.pendingExpiryDays': 'Pending expiry',
  'fulfilment.itemKind': 'Bonus item kind',
  changeNote: 'Change note',
  author: 'Author',
  document: 'The program',
  expectedVersion: 'Version',
};

const PART_WORDS: Record<string, string> = {
  subject: 'subject',
  operator: 'operator',
  value: 'value',
  term: 'value term',
  predicate: 'predicate',
  name: 'name',
  description: 'description',
  datatype: 'datatype',
  amount: 'amount',
  currency: 'currency',
  percent: 'percent',
  of: 'percent of',
  count: 'count',
  credits: 'credits',
  type: 'reward type',
  beneficiary: 'beneficiary',
  initialStatus: 'status',
};

/**
 * A document path in the words of the screen, numbered as its rows are (from 1):
 * `terms[3].branches[0][1].value` -> `Term "inviting_window_active", branch 1, condition 2: value`.
 */
export function pathWords(path: string, form: ProgramForm): string {
  if (FIELD_WORDS[path]) return FIELD_WORDS[path];
  const n = (s: string | undefined) => Number(s) + 1;
  const part = (s: string | undefined) => (s ? `: ${s.split('.').map((p) => PART_WORDS[p] ?? p).join(' ')}` : '');
  let m = /^terms\[(\d+)\](?:\.branches\[(\d+)\](?:\[(\d+)\])?)?(?:\.(.+))?$/.exec(path);
  if (m) {
    const term = form.terms[Number(m[1])];
    const name = term?.name ? `Term "${term.name}"` : `Term ${n(m[1])}`;
    const branch = m[2] === undefined ? '' : `, branch ${n(m[2])}`;
    const condition = m[3] === undefined ? '' : `, condition ${n(m[3])}`;
    return `${name}${branch}${condition}${part(m[4])}`;
  }
  m = /^eligibility(?:\[(\d+)\])?(?:\.(.+))?$/.exec(path);
  if (m) return m[1] === undefined ? 'Eligibility' : `Eligibility condition ${n(m[1])}${part(m[2])}`;
  m = /^rewardRules\[(\d+)\](?:\.conditions(?:\[(\d+)\])?)?(?:\.(.+))?$/.exec(path);
  if (m) return `Reward rule ${n(m[1])}${m[2] === undefined ? '' : `, condition ${n(m[2])}`}${part(m[3])}`;
  if (path === '') return 'The program';
  return path.replace(/^limits\./, '').replace(/^fulfilment\./, '');
}

/** Validator phrasing in plain words ("Too small: expected string to have >=1 characters" -> "is required"). */
export function plainMessage(message: string): string {
  const m = message.trim();
  if (/^Too small: expected string to have >=1 characters?/i.test(m) || /^Invalid input: expected string, received undefined/i.test(m)) return 'is required';
  if (/expected number, received (NaN|null|string)/i.test(m)) return 'must be a number';
  if (/expected int/i.test(m)) return 'must be a whole number';
  if (/^Too small: expected number to be >=?(\S+)/i.test(m)) return `must be at least ${/>=?(\S+)/.exec(m)?.[1] ?? ''}`.trim();
  if (/^Too big: expected number to be <=?(\S+)/i.test(m)) return `must be at most ${/<=?(\S+)/.exec(m)?.[1] ?? ''}`.trim();
  if (/^Too small: expected array to have >=1 items?/i.test(m)) return 'needs at least one entry';
  if (/^Invalid option: expected one of (.+)$/i.test(m)) return `must be one of ${m.replace(/^Invalid option: expected one of /i, '').replaceAll('|', ', ')}`;
  if (/^Invalid (string|input)/i.test(m)) return 'is not valid here';
  const phase = /^(\S+) does not exist at (\w+) time; it exists at: ([\w, ]+)(.*)$/.exec(m);
  if (phase) {
    const when = (p: string) => (p === 'reward' ? 'at reward time (when the trigger event happens, e.g. a lesson is completed)' : 'when a referral is created');
    const where = phase[2] === 'eligibility' ? 'so it cannot be used in Eligibility (checked when a referral is created)' : `so it cannot be used at ${phase[2] ?? ''} time`;
    return `${phase[1] ?? ''} exists only ${when(phase[3]?.split(',')[0]?.trim() ?? '')}, ${where}${phase[4] ?? ''}`;
  }
  return m;
}

/** One problem for the list on top: where (in words), then what. */
export const problemWords = (path: string, message: string, form: ProgramForm): string => `${pathWords(path, form)}: ${plainMessage(message)}`;
