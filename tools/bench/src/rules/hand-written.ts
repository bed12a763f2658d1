/**
 * The two example programs written by hand, as a careful engineer would without a rule language:
 * the same windows, conditions and first-match order, the same defensive reading of facts (a missing
 * or mistyped fact makes the decision "facts invalid", never a match), integer money arithmetic.
 * This is the speed ceiling the compiled evaluator is measured against.
 */
import { type BenchCase } from './fact-sets';

export interface HandDecision {
  readonly code: string;
  readonly ruleIndex: number;
  readonly amountMinor: number;
}

const decision = (code: string, ruleIndex = -1, amountMinor = 0): HandDecision => Object.freeze({ code, ruleIndex, amountMinor });
const ELIGIBLE = decision('eligible');
const NOT_MET = decision('conditions_not_met');
const FACTS_INVALID = decision('facts_invalid');
const OUTSIDE_INVITING = decision('outside_inviting_window');
const TRIGGER_MISMATCH = decision('trigger_mismatch');
const OUTSIDE_REWARDS = decision('outside_reward_window');
const NO_RULE = decision('no_rule_matched');
const FACTS_INVALID_RULE_0 = decision('facts_invalid', 0);
const REWARD_ZERO_RULE_0 = decision('reward_amount_zero', 0);
const CHALLENGE_BASE = decision('rewarded', 1, 300);

type Obj = Record<string, unknown> | undefined;
const obj = (value: unknown): Obj => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined);

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
function instantMs(value: unknown): number | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    return ms === ms ? ms : undefined;
  }
  if (typeof value === 'string' && INSTANT.test(value)) {
    const ms = Date.parse(value);
    return ms === ms ? ms : undefined;
  }
  return undefined;
}

// Kilo Pass referrals
const KILO_START = Date.UTC(2025, 0, 1);
const KILO_FROZEN = Date.UTC(2027, 0, 1);
const KILO_END = Date.UTC(2028, 0, 1);
const KILO_TIERS = new Set(['tier_19', 'tier_49', 'tier_199']);

export function kiloPassEligibility(facts: Record<string, unknown>, atMs: number): HandDecision {
  if (!(atMs >= KILO_START && atMs < KILO_FROZEN)) return OUTSIDE_INVITING;
  const isNew = obj(facts['referee'])?.['is_new_account'];
  if (typeof isNew !== 'boolean') return FACTS_INVALID;
  return isNew ? ELIGIBLE : NOT_MET;
}

export function kiloPassReward(event: string, facts: Record<string, unknown>, atMs: number): HandDecision {
  if (event !== 'payment.succeeded') return TRIGGER_MISMATCH;
  if (!(atMs >= KILO_START && atMs < KILO_END)) return OUTSIDE_REWARDS;
  const subscription = obj(facts['subscription']);
  const payment = obj(facts['payment']);
  let unknown = false;
  const tier = subscription?.['tier'];
  if (typeof tier !== 'string') unknown = true;
  else if (!KILO_TIERS.has(tier)) return NO_RULE;
  const interval = subscription?.['interval'];
  if (typeof interval !== 'string') unknown = true;
  else if (interval !== 'monthly') return NO_RULE;
  const kind = subscription?.['kind'];
  if (typeof kind !== 'string') unknown = true;
  else if (kind !== 'personal') return NO_RULE;
  const sequence = payment?.['sequence'];
  if (!Number.isSafeInteger(sequence)) unknown = true;
  else if (sequence !== 1) return NO_RULE;
  if (unknown) return FACTS_INVALID_RULE_0;
  const price = obj(subscription?.['monthly_price']);
  const cents = price?.['amountMinor'];
  if (typeof cents !== 'number' || !Number.isSafeInteger(cents) || typeof price?.['currency'] !== 'string' || cents < 0) return FACTS_INVALID_RULE_0;
  const amountMinor = Math.floor((cents * 50 + 50) / 100); // 50%, half-up, integers only
  return amountMinor === 0 ? REWARD_ZERO_RULE_0 : { code: 'rewarded', ruleIndex: 0, amountMinor };
}

// Challenge Based Rewards (student)
const CHALLENGE_START = Date.UTC(2025, 8, 1);
const CHALLENGE_FROZEN = Date.UTC(2025, 11, 1);
const CHALLENGE_END = Date.UTC(2026, 0, 1);
const CHALLENGE_COUNTRIES = new Set(['US', 'CA', 'GB', 'AU', 'IE', 'NZ']);
const CHALLENGE_BLOCKLIST = new Set([1001, 1002, 4242]);
const CHALLENGE_TOGGLE = 'student_challenge_2025';

export function challengeEligibility(facts: Record<string, unknown>, atMs: number): HandDecision {
  if (!(atMs >= CHALLENGE_START && atMs < CHALLENGE_FROZEN)) return OUTSIDE_INVITING;
  const advocate = obj(facts['advocate']);
  const invitee = obj(facts['invitee']);
  let unknown = false;
  const createdAt = instantMs(obj(facts['referral'])?.['created_at']);
  if (createdAt === undefined) unknown = true;
  else if (!(createdAt >= CHALLENGE_START && createdAt < CHALLENGE_FROZEN)) return NOT_MET;
  const advocateId = advocate?.['user_id'];
  if (!Number.isSafeInteger(advocateId)) unknown = true;
  else if (CHALLENGE_BLOCKLIST.has(advocateId as number)) return NOT_MET;
  const toggles = advocate?.['toggles'];
  if (!Array.isArray(toggles) || !toggles.every((t) => typeof t === 'string')) unknown = true;
  else if (!toggles.includes(CHALLENGE_TOGGLE)) return NOT_MET;
  const country = invitee?.['country'];
  if (typeof country !== 'string') unknown = true;
  else if (!CHALLENGE_COUNTRIES.has(country)) return NOT_MET;
  const inviteeId = invitee?.['user_id'];
  if (!Number.isSafeInteger(inviteeId)) unknown = true;
  else if (CHALLENGE_BLOCKLIST.has(inviteeId as number)) return NOT_MET;
  return unknown ? FACTS_INVALID : ELIGIBLE;
}

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

export function challengeReward(event: string, facts: Record<string, unknown>, atMs: number): HandDecision {
  if (event !== 'lesson.completed') return TRIGGER_MISMATCH;
  if (!(atMs >= CHALLENGE_START && atMs < CHALLENGE_END)) return OUTSIDE_REWARDS;
  const lessonWindow = atMs >= CHALLENGE_START && atMs < CHALLENGE_END;
  const raw = obj(facts['lesson'])?.['usd_amount'];
  const usd = typeof raw === 'number' && Number.isFinite(raw) ? raw : typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : undefined;
  // Rule 0, "Enhanced challenge reward": lesson window AND usd_amount >= 40.
  if (lessonWindow) {
    if (usd === undefined) return FACTS_INVALID_RULE_0;
    if (usd >= 40) {
      const cents = Math.round(usd * 100); // prices have whole cents
      return { code: 'rewarded', ruleIndex: 0, amountMinor: Math.floor((cents * 125 + 500) / 1000) }; // 12.5%, half-up
    }
    // Rule 1, "Base challenge reward": lesson window.
    return CHALLENGE_BASE;
  }
  return NO_RULE;
}

/** Dispatches like the other contestants, from the same inputs (the instant as a Date). */
export function evaluateByHand(c: BenchCase): HandDecision {
  const atMs = c.at.getTime();
  if (c.program === 'kiloPass') {
    return c.phase === 'eligibility' ? kiloPassEligibility(c.facts, atMs) : kiloPassReward(c.event, c.facts, atMs);
  }
  return c.phase === 'eligibility' ? challengeEligibility(c.facts, atMs) : challengeReward(c.event, c.facts, atMs);
}
