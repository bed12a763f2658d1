import { programRetired, type ProgramStore } from '@referrals/programs';
import { type Sequelize, type Transaction } from 'sequelize';
import { AttributionError } from './attribution.errors';
import {
  blockReferrerSchema,
  parseInput,
  registerReferralCodeSchema,
  type BlockReferrerInput,
  type RegisterReferralCodeInput,
} from './attribution.schemas';
import { queryRows } from '@referrals/sql';

/** A referrer's code in one program. The same code may belong to another user in another program. */
export interface ReferralCode {
  readonly programKey: string;
  readonly code: string;
  readonly userId: string;
  readonly createdAt: Date;
  /** A blocked referrer's referrals are disqualified (`referrer_blocked`). */
  readonly blockedAt: Date | null;
  readonly blockedReason: string | null;
}

interface ReferralCodeRow {
  program_key: string;
  code: string;
  user_id: string;
  created_at: Date;
  blocked_at: Date | null;
  blocked_reason: string | null;
}

const CODE_COLUMNS = 'program_key, code, user_id, created_at, blocked_at, blocked_reason';

function toReferralCode(row: ReferralCodeRow): ReferralCode {
  return {
    programKey: row.program_key,
    code: row.code,
    userId: row.user_id,
    createdAt: row.created_at,
    blockedAt: row.blocked_at,
    blockedReason: row.blocked_reason,
  };
}

export interface ReferralCodeDeps {
  readonly sequelize: Sequelize;
  readonly programs: ProgramStore;
  readonly clock: () => Date;
}

/**
 * Records that `code` is `userId`'s referral code in a program (the native code, or the one Impact
 * Advocate returned in `referralCodes[programId]`). Idempotent: registering it again for the same
 * user returns the stored code; for another user it is `referral_code_taken`.
 */
export async function registerReferralCode(deps: ReferralCodeDeps, input: RegisterReferralCodeInput): Promise<ReferralCode> {
  const { programKey, code, userId } = parseInput(registerReferralCodeSchema, input, 'registerReferralCode');
  const program = await deps.programs.find(programKey);
  // A retired program takes no new referral codes (Kilo 69a: no new participants).
  if (program?.status === 'retired') throw programRetired(programKey, 'programKey');
  if (!program) {
    throw new AttributionError('program_unknown', `no program has key "${programKey}"`, {
      issues: [
        { code: 'program_unknown', path: 'programKey', message: `no program has key "${programKey}"` },
      ],
    });
  }
  await queryRows(
    deps.sequelize,
    undefined,
    `INSERT INTO attribution_referral_codes (program_key, code, user_id, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (program_key, code) DO NOTHING RETURNING code`,
    [programKey, code, userId, deps.clock()],
  );
  const [row] = await queryRows<ReferralCodeRow>(
    deps.sequelize,
    undefined,
    `SELECT ${CODE_COLUMNS} FROM attribution_referral_codes WHERE program_key = $1 AND code = $2`,
    [programKey, code],
  );
  if (!row) throw new Error('a referral code vanished right after it was stored');
  if (row.user_id !== userId) {
    throw new AttributionError('referral_code_taken', `code is already taken in program "${programKey}"`, {
      issues: [
        { code: 'field_invalid', path: 'code', message: 'belongs to another user in this program' },
      ],
    });
  }
  return toReferralCode(row);
}

/**
 * Blocks (or unblocks) a referrer in one program: every code of theirs there. Referrals decided
 * before stay as they were; referrals created afterwards are disqualified (`referrer_blocked`).
 */
export async function setReferrerBlocked(
  deps: Pick<ReferralCodeDeps, 'sequelize' | 'clock'>,
  input: BlockReferrerInput,
  blocked: boolean,
): Promise<{ readonly codes: number }> {
  const { programKey, userId, reason } = parseInput(blockReferrerSchema, input, blocked ? 'blockReferrer' : 'unblockReferrer');
  const rows = blocked
    ? await queryRows<{ code: string }>(
        deps.sequelize,
        undefined,
        `UPDATE attribution_referral_codes SET blocked_at = coalesce(blocked_at, $3), blocked_reason = coalesce($4, blocked_reason)
          WHERE program_key = $1 AND user_id = $2 RETURNING code`,
        [programKey, userId, deps.clock(), reason ?? null],
      )
    : await queryRows<{ code: string }>(
        deps.sequelize,
        undefined,
        `UPDATE attribution_referral_codes SET blocked_at = NULL, blocked_reason = NULL
          WHERE program_key = $1 AND user_id = $2 RETURNING code`,
        [programKey, userId],
      );
  return { codes: rows.length };
}

export type ReferrerResolution =
  | { readonly outcome: 'found'; readonly code: ReferralCode }
  | { readonly outcome: 'unknown' }
  | { readonly outcome: 'ambiguous'; readonly userIds: readonly string[] };

/**
 * Who owns a referral code. With the program the touch targeted, the code is looked up in that
 * program only. Without one, in every program of the product: the same code owned by different
 * users there cannot be decided (`ambiguous`); owned by one user in several programs, the user is
 * known (blocked if blocked in any of them).
 */
export async function resolveReferrer(
  sequelize: Sequelize,
  lookup: { product: string; programKey: string | null; code: string },
  transaction?: Transaction,
): Promise<ReferrerResolution> {
  const rows = await queryRows<ReferralCodeRow>(
    sequelize,
    transaction,
    `SELECT ${CODE_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')}
       FROM attribution_referral_codes c JOIN programs p ON p.key = c.program_key
      WHERE c.code = $1 AND p.product = $2 AND ($3::text IS NULL OR c.program_key = $3)
      ORDER BY c.blocked_at IS NULL, c.program_key`,
    [lookup.code, lookup.product, lookup.programKey],
  );
  const first = rows[0];
  if (!first) return { outcome: 'unknown' };
  const userIds = [...new Set(rows.map((r) => r.user_id))].sort();
  if (userIds.length > 1) return { outcome: 'ambiguous', userIds };
  return { outcome: 'found', code: toReferralCode(first) };
}
