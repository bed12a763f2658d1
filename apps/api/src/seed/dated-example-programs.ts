import { examplePrograms, type ProgramDocument } from '@referrals/rule-dsl';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Midnight UTC of the day `now` falls on: the windows start on the seeding day, whatever its hour. */
export function seedingDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

function addUtcYears(day: Date, years: number): Date {
  return new Date(Date.UTC(day.getUTCFullYear() + years, day.getUTCMonth(), day.getUTCDate()));
}

function withSchedule(document: ProgramDocument, startAt: Date, frozenAt: Date, endAt: Date): ProgramDocument {
  return { ...structuredClone(document), schedule: { startAt: startAt.toISOString(), frozenAt: frozenAt.toISOString(), endAt: endAt.toISOString() } };
}

/**
 * The example programs as the seed stores them: the fixtures' rules with windows relative to the
 * seeding day, so a fresh stack rewards today (the fixtures' own dates are fixed, for tests that
 * pin a clock). Kilo Pass invites for five years and rewards for six (as open-ended as Kilo's live
 * program); the Challenge keeps the fixture's shape (inviting 91 days, lessons rewarded 122 days).
 * KiloClaw's stays as it is: the seed stores it retired, its dates are history.
 */
export function examplesToSeed(now: Date): ProgramDocument[] {
  const day = seedingDay(now);
  return [
    withSchedule(examplePrograms.kiloPass, day, addUtcYears(day, 5), addUtcYears(day, 6)),
    withSchedule(examplePrograms.challengeRewards, day, new Date(day.getTime() + 91 * DAY_MS), new Date(day.getTime() + 122 * DAY_MS)),
    structuredClone(examplePrograms.kiloClaw),
  ];
}
