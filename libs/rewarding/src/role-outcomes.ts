import { type RoleOutcome } from '@referrals/ledger';
import { minorUnitDigits, type ProgramDocument, type RewardEvaluation, type RewardGrant } from '@referrals/rule-dsl';

const DAY_MS = 86_400_000;

/**
 * A decimal amount of major units (`"45.30"`, `45.3`) in integer minor units, exactly (text
 * arithmetic, half-up beyond the currency's digits). Only the recorded BASE of a percent reward
 * goes through here; the reward amount itself was computed exactly by rule-dsl.
 */
export function majorToMinor(value: string | number, currency: string): number | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const digits = minorUnitDigits(currency);
  const fraction = (match[2] ?? '').padEnd(digits + 1, '0');
  let minor = Number(match[1]) * 10 ** digits + Number(fraction.slice(0, digits) || '0');
  if (Number(fraction[digits]) >= 5) minor += 1;
  return Number.isSafeInteger(minor) ? minor : undefined;
}

function baseMinorOf(base: unknown, currency: string): number | undefined {
  if (typeof base === 'object' && base !== null && 'amountMinor' in base) {
    const amount = (base as { amountMinor: unknown }).amountMinor;
    return typeof amount === 'number' ? amount : undefined;
  }
  if (typeof base === 'string' || typeof base === 'number') return majorToMinor(base, currency);
  return undefined;
}

/**
 * Turns rule-dsl's decision (grants of the matched rule of the PINNED program version) into the
 * ledger's per-role outcomes: kind, amount in minor units, unit, initial status, expiry from the
 * program's `pendingExpiryDays`, and the rule as the reason.
 */
export function roleOutcomes(document: ProgramDocument, evaluation: RewardEvaluation, earnedAt: Date): RoleOutcome[] {
  const rule = evaluation.rule ? document.rewardRules[evaluation.rule.index] : undefined;
  if (!rule || !evaluation.rewarded) return [];
  const expiryDays = document.limits.pendingExpiryDays;
  const expiresAt = expiryDays ? new Date(earnedAt.getTime() + expiryDays * DAY_MS) : null;
  // Rules are numbered from 1 wherever an operator reads them (explanations, Simulate, the support view).
  const reason = `rule ${(evaluation.rule?.index ?? 0) + 1}: ${rule.description}`.slice(0, 1000);
  return evaluation.grants.map((grant: RewardGrant): RoleOutcome => {
    const common = { role: grant.beneficiary, decision: 'grant' as const, initialStatus: grant.initialStatus, expiresAt, reason };
    const reward = grant.reward;
    if (reward.type === 'free_period') return { ...common, kind: 'free_period', amountMinor: reward.count, unit: reward.unit };
    if (reward.type === 'credits') return { ...common, kind: 'credits', amountMinor: reward.credits, unit: 'credit' };
    const currency = reward.amount.currency;
    if (rule.reward.type === 'percent') {
      const computation = evaluation.explanation?.reward;
      const baseMinor = baseMinorOf(computation?.base, currency);
      return {
        ...common,
        kind: 'percent',
        amountMinor: reward.amount.amountMinor,
        unit: currency,
        percent: String(rule.reward.percent),
        // The base is recorded for "why this amount"; the amount never depends on this conversion.
        baseMinor: baseMinor ?? 0,
      };
    }
    return { ...common, kind: 'fixed', amountMinor: reward.amount.amountMinor, unit: currency };
  });
}
