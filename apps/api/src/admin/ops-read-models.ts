import { QueryTypes, type Sequelize } from 'sequelize';

export interface DisqualifiedReferral {
  id: string;
  product: string;
  refereeUserId: string;
  referrerUserId: string | null;
  status: 'disqualified' | 'no_program';
  reasons: string[];
  createdAt: Date;
}

/**
 * Referrals decided without a program, newest first: guards that failed (self_referral,
 * existing_account, referrer_blocked...) or no program matched. Read-only SQL over attribution's
 * table because the lib has no list query yet (it should own this one: `listReferrals({ status })`).
 */
export async function listDisqualifiedReferrals(sequelize: Sequelize, limit: number): Promise<DisqualifiedReferral[]> {
  const rows = await sequelize.query<{
    id: string;
    product: string;
    referee_user_id: string;
    referrer_user_id: string | null;
    status: 'disqualified' | 'no_program';
    reasons: string[];
    created_at: Date;
  }>(
    `SELECT id, product, referee_user_id, referrer_user_id, status, reasons, created_at
       FROM attribution_referrals WHERE status IN ('disqualified', 'no_program') ORDER BY id DESC LIMIT $1`,
    { bind: [limit], type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    id: String(r.id),
    product: r.product,
    refereeUserId: r.referee_user_id,
    referrerUserId: r.referrer_user_id,
    status: r.status,
    reasons: r.reasons,
    createdAt: r.created_at,
  }));
}
