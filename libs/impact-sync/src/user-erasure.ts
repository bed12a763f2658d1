import { countedChange, type ErasureCounts, queryRows, type UserErasureInput, userIdTokenPattern } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';

/**
 * The emails this lib holds for a user (what queued registrations and SALE reports were to send),
 * read before `eraseUserImpactSync` deletes them: the erasure writes their deleted-account digests.
 */
export async function storedEmailsOfUser(sequelize: Sequelize, transaction: Transaction | undefined, userId: string): Promise<string[]> {
  const rows = await queryRows<{ email: string }>(
    sequelize,
    transaction,
    `SELECT details->>'email' AS email FROM impact_sync_participant_requests WHERE user_id = $1 AND details ? 'email'
     UNION SELECT customer_email FROM impact_sync_sale_requests WHERE user_id = $1 AND customer_email IS NOT NULL`,
    [userId],
  );
  return rows.map((r) => r.email).filter((e) => typeof e === 'string' && e.length > 0);
}

/**
 * impact-sync's part of a user's erasure (issue 15), in the caller's transaction. Deleted: what
 * Advocate answered about the participant (ids, codes) and the personal parts of queued requests
 * (emails, names, `_saasquatch` values, `im_ref` click ids). Kept, anonymized: the delivery records
 * (status, attempts, Impact's order and action ids), which operators and the redemption backfill
 * read, with the user id replaced by the pseudonym wherever it appears (user, business id,
 * delivery key, workflow id, request ids) and the free-text error messages and details cleared
 * (Impact may echo what it was sent). What Impact itself stores is not erased here.
 */
export async function eraseUserImpactSync(sequelize: Sequelize, transaction: Transaction, input: UserErasureInput): Promise<ErasureCounts> {
  const change = (sql: string, bind: readonly unknown[]) => countedChange(sequelize, transaction, sql, bind);
  const uid = input.userId;
  const pattern = userIdTokenPattern(uid);
  const participants = await change('DELETE FROM impact_sync_participants WHERE user_id = $1 RETURNING 1', [uid]);
  const participantRequests = await change('DELETE FROM impact_sync_participant_requests WHERE user_id = $1 RETURNING 1', [uid]);
  const saleRequests = await change('DELETE FROM impact_sync_sale_requests WHERE user_id = $1 RETURNING 1', [uid]);

  const userDeliveries = `SELECT id FROM impact_sync_deliveries WHERE user_id = $1 OR (kind = 'participant_registration' AND business_id ~ $2)`;
  const attempts = await change(
    `UPDATE impact_sync_attempts
        SET error_message = NULL, request_id = regexp_replace(request_id, $2, '\\1' || $3, 'g')
      WHERE delivery_id IN (${userDeliveries}) RETURNING 1`,
    [uid, pattern, input.pseudonym],
  );
  const deliveries = await change(
    `UPDATE impact_sync_deliveries
        SET user_id = $3,
            business_id = regexp_replace(business_id, $2, '\\1' || $3, 'g'),
            delivery_key = regexp_replace(delivery_key, $2, '\\1' || $3, 'g'),
            workflow_id = regexp_replace(workflow_id, $2, '\\1' || $3, 'g'),
            last_request_id = regexp_replace(last_request_id, $2, '\\1' || $3, 'g'),
            last_error_message = NULL, queued_uri = NULL, details = '{}'::jsonb
      WHERE id IN (${userDeliveries}) RETURNING 1`,
    [uid, pattern, input.pseudonym],
  );
  return {
    impact_sync_participants: { deleted: participants, anonymized: 0 },
    impact_sync_participant_requests: { deleted: participantRequests, anonymized: 0 },
    impact_sync_sale_requests: { deleted: saleRequests, anonymized: 0 },
    impact_sync_deliveries: { deleted: 0, anonymized: deliveries },
    impact_sync_attempts: { deleted: 0, anonymized: attempts },
  };
}
