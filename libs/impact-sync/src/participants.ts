import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { parseInput, queryRows } from './impact-sync-sql';

/** A participant as Impact Advocate registered it for one program. */
export interface ParticipantRegistration {
  programKey: string;
  userId: string;
  product: string;
  /** Advocate's participant (user) id and account id: what reward lookups and redemptions name. */
  participantId: string;
  accountId: string;
  /** The program-scoped referral code (`referralCodes[programId]`); null when Advocate gave none. */
  referralCode: string | null;
  /** The code of whoever referred this participant, when Advocate attributed one. */
  referredByCode: string | null;
  registeredAt: Date;
  updatedAt: Date;
}

interface ParticipantRow {
  program_key: string;
  user_id: string;
  product: string;
  participant_id: string;
  account_id: string;
  referral_code: string | null;
  referred_by_code: string | null;
  registered_at: Date;
  updated_at: Date;
}

function toParticipant(row: ParticipantRow): ParticipantRegistration {
  return {
    programKey: row.program_key,
    userId: row.user_id,
    product: row.product,
    participantId: row.participant_id,
    accountId: row.account_id,
    referralCode: row.referral_code,
    referredByCode: row.referred_by_code,
    registeredAt: row.registered_at,
    updatedAt: row.updated_at,
  };
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

const registrationSchema = z.object({
  programKey: text(100),
  userId: text(400),
  product: text(100),
  participantId: text(400),
  accountId: text(400),
  referralCode: text(200).nullable(),
  referredByCode: text(200).nullish(),
  now: z.date().optional(),
});
export type RecordParticipantInput = z.input<typeof registrationSchema>;

/**
 * Stores what Advocate answered for a registration. Idempotent upsert per (program, user): a later
 * answer updates the ids; a code once known is kept when a later answer carries none.
 */
export async function recordParticipantRegistration(sequelize: Sequelize, input: RecordParticipantInput): Promise<ParticipantRegistration> {
  const p = parseInput(registrationSchema, input, 'recordParticipantRegistration');
  const now = p.now ?? new Date();
  const [row] = await queryRows<ParticipantRow>(
    sequelize,
    undefined,
    `INSERT INTO impact_sync_participants
       (program_key, user_id, product, participant_id, account_id, referral_code, referred_by_code, registered_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     ON CONFLICT (program_key, user_id) DO UPDATE SET
       product = EXCLUDED.product,
       participant_id = EXCLUDED.participant_id,
       account_id = EXCLUDED.account_id,
       referral_code = COALESCE(EXCLUDED.referral_code, impact_sync_participants.referral_code),
       referred_by_code = COALESCE(EXCLUDED.referred_by_code, impact_sync_participants.referred_by_code),
       updated_at = CASE
         WHEN (impact_sync_participants.participant_id, impact_sync_participants.account_id, impact_sync_participants.referral_code)
              IS NOT DISTINCT FROM (EXCLUDED.participant_id, EXCLUDED.account_id, COALESCE(EXCLUDED.referral_code, impact_sync_participants.referral_code))
         THEN impact_sync_participants.updated_at ELSE EXCLUDED.updated_at END
     RETURNING *`,
    [p.programKey, p.userId, p.product, p.participantId, p.accountId, p.referralCode, p.referredByCode ?? null, now],
  );
  if (!row) throw new Error('recordParticipantRegistration: the upsert returned no row');
  return toParticipant(row);
}

/** The registration of a user in a program, or null when none succeeded yet. */
export async function getParticipantRegistration(
  sequelize: Sequelize,
  programKey: string,
  userId: string,
): Promise<ParticipantRegistration | null> {
  const [row] = await queryRows<ParticipantRow>(
    sequelize,
    undefined,
    'SELECT * FROM impact_sync_participants WHERE program_key = $1 AND user_id = $2',
    [programKey, userId],
  );
  return row ? toParticipant(row) : null;
}
