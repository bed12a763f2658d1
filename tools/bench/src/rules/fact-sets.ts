/**
 * A fixed, varied, deterministic workload for the two example programs: mostly well-formed fact
 * sets that exercise every rule and every way to fail a condition, plus a few missing and mistyped
 * facts (as real hosts send), all generated from a seeded PRNG so every run measures the same work.
 */

export type ProgramName = 'kiloPass' | 'challengeRewards';
export type PhaseName = 'eligibility' | 'reward';

export interface BenchCase {
  readonly program: ProgramName;
  readonly phase: PhaseName;
  readonly event: string;
  readonly at: Date;
  readonly atMs: number;
  readonly facts: Record<string, unknown>;
  /** Whether every fact is present and well typed (json-rules-engine is compared on these only). */
  readonly wellFormed: boolean;
}

/** mulberry32: tiny, fast, deterministic. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const KILO_PRICES: Record<string, number> = { tier_19: 1900, tier_49: 4900, tier_199: 19900, tier_9: 900, tier_free: 0 };

export function buildFactSets(countPerKind: number, seed = 20250901): BenchCase[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const cases: BenchCase[] = [];

  // Kilo Pass, at referral creation. Window [2025-01-01, 2027-01-01).
  for (let i = 0; i < countPerKind; i++) {
    const atMs = Date.UTC(2025, 0, 1) + Math.floor(random() * 800) * DAY_MS - 20 * DAY_MS; // a few before start and after freeze
    const referee: Record<string, unknown> = { user_id: `u_${i}`, is_new_account: chance(0.9) };
    let wellFormed = true;
    if (chance(0.02)) {
      delete referee['is_new_account'];
      wellFormed = false;
    }
    cases.push({
      program: 'kiloPass',
      phase: 'eligibility',
      event: '',
      at: new Date(atMs),
      atMs,
      facts: { referee, referrer: { user_id: `r_${i % 97}`, rewards_earned: i % 6 }, referral: { created_at: new Date(atMs) } },
      wellFormed,
    });
  }

  // Kilo Pass, at each payment.
  for (let i = 0; i < countPerKind; i++) {
    const atMs = Date.UTC(2025, 0, 1) + Math.floor(random() * 1100) * DAY_MS - 10 * DAY_MS;
    const tier = pick(['tier_19', 'tier_49', 'tier_49', 'tier_199', 'tier_9', 'tier_free']);
    const subscription: Record<string, unknown> = {
      tier,
      interval: chance(0.8) ? 'monthly' : 'yearly',
      kind: chance(0.85) ? 'personal' : 'team',
      monthly_price: { amountMinor: KILO_PRICES[tier], currency: 'USD' },
      started_at: new Date(atMs - DAY_MS),
    };
    const payment: Record<string, unknown> = {
      amount: { amountMinor: Math.floor((KILO_PRICES[tier] ?? 0) / 2), currency: 'USD' },
      sequence: chance(0.7) ? 1 : pick([2, 3, 4]),
      paid_at: new Date(atMs),
    };
    let wellFormed = true;
    if (chance(0.02)) {
      delete subscription['kind'];
      wellFormed = false;
    } else if (chance(0.01)) {
      payment['sequence'] = String(payment['sequence']);
      wellFormed = false;
    }
    cases.push({
      program: 'kiloPass',
      phase: 'reward',
      event: chance(0.95) ? 'payment.succeeded' : 'payment.refunded',
      at: new Date(atMs),
      atMs,
      facts: {
        referee: { user_id: `u_${i}`, is_new_account: true },
        referrer: { user_id: `r_${i % 97}`, rewards_earned: i % 6 },
        referral: { created_at: new Date(atMs - 3 * DAY_MS) },
        subscription,
        payment,
        event: { sequence: 1 },
      },
      wellFormed,
    });
  }

  // Challenge Based Rewards, at referral creation. Window [2025-09-01, 2025-12-01).
  for (let i = 0; i < countPerKind; i++) {
    const atMs = Date.UTC(2025, 8, 1) + Math.floor(random() * 100 * 24) * 3_600_000 - 2 * DAY_MS;
    const createdAt = chance(0.97) ? atMs : atMs + 120 * DAY_MS; // a few links created after the freeze
    const advocate: Record<string, unknown> = {
      user_id: chance(0.05) ? pick([1001, 1002, 4242]) : 1 + Math.floor(random() * 5000),
      toggles: chance(0.8) ? ['dark_mode', 'student_challenge_2025'] : ['dark_mode'],
    };
    const invitee: Record<string, unknown> = {
      user_id: chance(0.03) ? 4242 : 10_000 + i,
      country: chance(0.85) ? pick(['US', 'CA', 'GB', 'AU', 'IE', 'NZ']) : pick(['FR', 'DE', 'BR']),
      signed_up_at: new Date(atMs),
    };
    let wellFormed = true;
    if (chance(0.02)) {
      delete advocate['toggles'];
      wellFormed = false;
    }
    cases.push({
      program: 'challengeRewards',
      phase: 'eligibility',
      event: '',
      at: new Date(atMs),
      atMs,
      facts: { advocate, invitee, referral: { created_at: new Date(createdAt) } },
      wellFormed,
    });
  }

  // Challenge Based Rewards, at each completed lesson. Rewards window [2025-09-01, 2026-01-01).
  for (let i = 0; i < countPerKind; i++) {
    const atMs = Date.UTC(2025, 8, 1) + Math.floor(random() * 130 * 24) * 3_600_000 - 3 * DAY_MS;
    const cents = 1500 + Math.floor(random() * 7500);
    const lesson: Record<string, unknown> = {
      id: `l_${i}`,
      usd_amount: chance(0.8) ? cents / 100 : (cents / 100).toFixed(2),
      duration_minutes: pick([30, 45, 60, 90]),
      sequence: 1 + (i % 12),
      is_trial: chance(0.1),
      completed_at: new Date(atMs),
    };
    let wellFormed = true;
    if (chance(0.01)) {
      delete lesson['usd_amount'];
      wellFormed = false;
    }
    cases.push({
      program: 'challengeRewards',
      phase: 'reward',
      event: 'lesson.completed',
      at: new Date(atMs),
      atMs,
      facts: {
        advocate: { user_id: 7, toggles: ['student_challenge_2025'] },
        invitee: { user_id: 10_000 + i, country: 'US', signed_up_at: new Date(atMs - 10 * DAY_MS) },
        referral: { created_at: new Date(atMs - 10 * DAY_MS) },
        lesson,
        event: { sequence: 1 + (i % 12) },
      },
      wellFormed,
    });
  }

  // Interleave the four kinds so no contestant benefits from long runs of identical shapes.
  const interleaved: BenchCase[] = [];
  for (let i = 0; i < countPerKind; i++) for (let k = 0; k < 4; k++) interleaved.push(cases[k * countPerKind + i] as BenchCase);
  return interleaved;
}
