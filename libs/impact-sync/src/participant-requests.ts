import { type Sequelize, type Transaction } from 'sequelize';
import { queryRows } from './impact-sync-sql';

/**
 * What a participant registration sends to Advocate (email, names, locale, the `_saasquatch`
 * value), kept here rather than in the registration workflow's input: Temporal histories cannot
 * be erased and are read by whoever operates Temporal, so the input names the (program, user) and
 * the activity reads this row [design 7: inputs carry ids, never emails or cookies].
 *
 * One row per (program, user), written in the transaction that queues the registration; the first
 * request stands, as the registration workflow (one per program and user) runs once.
 */
export interface ParticipantRequest {
  readonly programKey: string;
  readonly userId: string;
  readonly product: string;
  /** The participant as Advocate gets it (`ParticipantDetails` of @referrals/workflows). */
  readonly details: Readonly<Record<string, unknown>>;
  readonly requestedAt: Date;
}

interface ParticipantRequestRow {
  program_key: string;
  user_id: string;
  product: string;
  details: Record<string, unknown>;
  requested_at: Date;
}

/** Stores the request unless one exists for (program, user); answers the one that stands. */
export async function saveParticipantRequest(
  sequelize: Sequelize,
  transaction: Transaction,
  request: Omit<ParticipantRequest, 'requestedAt'> & { readonly now: Date },
): Promise<ParticipantRequest> {
  await queryRows(
    sequelize,
    transaction,
    `INSERT INTO impact_sync_participant_requests (program_key, user_id, product, details, requested_at)
     VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (program_key, user_id) DO NOTHING`,
    [request.programKey, request.userId, request.product, JSON.stringify(request.details), request.now],
    { direct: true, prepare: true },
  );
  const stored = await participantRequestOf(sequelize, request.programKey, request.userId, { transaction });
  if (!stored) throw new Error('saveParticipantRequest: the request vanished right after it was stored');
  return stored;
}

/** The stored request of (program, user), or null (registrations queued before requests were stored). */
export async function participantRequestOf(
  sequelize: Sequelize,
  programKey: string,
  userId: string,
  options: { transaction?: Transaction } = {},
): Promise<ParticipantRequest | null> {
  const [row] = await queryRows<ParticipantRequestRow>(
    sequelize,
    options.transaction,
    'SELECT program_key, user_id, product, details, requested_at FROM impact_sync_participant_requests WHERE program_key = $1 AND user_id = $2',
    [programKey, userId],
  );
  return row ? { programKey: row.program_key, userId: row.user_id, product: row.product, details: row.details, requestedAt: row.requested_at } : null;
}
