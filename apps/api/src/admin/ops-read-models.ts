import { type Attribution } from '@referrals/attribution';

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
 * signup_before_touch, referrer_blocked...) or no program matched. Attribution owns the table, so the
 * ops view asks its `listReferrals` and keeps only the fields the ops response has always had.
 */
export async function listDisqualifiedReferrals(attribution: Pick<Attribution, 'listReferrals'>, limit: number): Promise<DisqualifiedReferral[]> {
  const referrals = await attribution.listReferrals({ status: ['disqualified', 'no_program'], limit });
  return referrals.flatMap((r) =>
    r.status === 'qualified'
      ? [] // never returned for this filter; narrows the status type without a cast
      : [{ id: r.id, product: r.product, refereeUserId: r.refereeUserId, referrerUserId: r.referrerUserId, status: r.status, reasons: [...r.reasons], createdAt: r.createdAt }],
  );
}
