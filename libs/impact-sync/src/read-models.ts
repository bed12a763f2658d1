import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { toDelivery, type Delivery, type DeliveryRow } from './deliveries';
import {
  deliveryCategories,
  deliveryKinds,
  deliveryStatuses,
  type AttemptOutcome,
  type DeliveryKind,
  type DeliveryStatus,
} from './delivery-states';
import { parseInput, queryRows, toInt } from './impact-sync-sql';

/** Operators' views. Read-only, outside any transaction: each is one consistent statement. */

const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema).min(1)]);
const asList = <T>(value: T | T[] | undefined): T[] | null => (value === undefined ? null : Array.isArray(value) ? value : [value]);

const listSchema = z.object({
  kind: oneOrMany(z.enum(deliveryKinds)).optional(),
  status: oneOrMany(z.enum(deliveryStatuses)).optional(),
  programKey: z.string().min(1).optional(),
  userId: z.string().min(1).optional(),
  /** The work's business ids (a reward id for a redemption): one read for a page of rewards. */
  businessId: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(1_000)]).optional(),
  /** Created at least this many seconds ago (work stuck for a while). */
  olderThanSeconds: z.number().int().min(0).optional(),
  /** Created at most this many seconds ago (what went wrong lately). */
  newerThanSeconds: z.number().int().min(0).optional(),
  /** Newest first (default: a fresh failure is on the first page), or oldest first. */
  order: z.enum(['newest', 'oldest']).default('newest'),
  /** Keyset pagination: the deliveries that come after this id in the listing order. */
  afterId: z.string().regex(/^\d{1,19}$/).optional(),
  limit: z.number().int().min(1).max(1_000).default(100),
});
export type ListDeliveriesFilter = z.input<typeof listSchema>;

/**
 * Deliveries by kind, status, age (and program, user, business ids), newest first unless asked
 * otherwise, a page at a time (`afterId`: the last id of the previous page).
 */
export async function listDeliveries(sequelize: Sequelize, filter: ListDeliveriesFilter = {}): Promise<Delivery[]> {
  const f = parseInput(listSchema, filter, 'listDeliveries');
  const newest = f.order === 'newest';
  const rows = await queryRows<DeliveryRow>(
    sequelize,
    undefined,
    `SELECT * FROM impact_sync_deliveries
      WHERE ($1::text[] IS NULL OR kind = ANY($1::text[]))
        AND ($2::text[] IS NULL OR status = ANY($2::text[]))
        AND ($3::text IS NULL OR program_key = $3)
        AND ($4::text IS NULL OR user_id = $4)
        AND ($5::bigint IS NULL OR ${newest ? 'id < $5::bigint' : 'id > $5::bigint'})
        AND ($7::text[] IS NULL OR business_id = ANY($7::text[]))
        AND ($8::int IS NULL OR created_at <= now() - make_interval(secs => $8::int))
        AND ($9::int IS NULL OR created_at >= now() - make_interval(secs => $9::int))
      ORDER BY id ${newest ? 'DESC' : 'ASC'} LIMIT $6`,
    [
      asList(f.kind),
      asList(f.status),
      f.programKey ?? null,
      f.userId ?? null,
      f.afterId ?? null,
      f.limit,
      asList(f.businessId),
      f.olderThanSeconds ?? null,
      f.newerThanSeconds ?? null,
    ],
  );
  return rows.map(toDelivery);
}

export type DeliveryCounts = Record<DeliveryKind, Record<DeliveryStatus, number>>;

export interface DeliveryOverview {
  /** Per kind, how many deliveries are in each status (zero for absent ones). */
  byKind: DeliveryCounts;
  /** The same, summed per ops category: registrations, conversion reports, redemptions. */
  byCategory: Record<keyof typeof deliveryCategories, Record<DeliveryStatus, number>>;
}

const zeros = (): Record<DeliveryStatus, number> => Object.fromEntries(deliveryStatuses.map((s) => [s, 0])) as Record<DeliveryStatus, number>;

/** How many deliveries are in each status, per kind and per category (optionally for one program). */
export async function countDeliveries(sequelize: Sequelize, filter: { programKey?: string } = {}): Promise<DeliveryOverview> {
  const f = parseInput(z.object({ programKey: z.string().min(1).optional() }), filter, 'countDeliveries');
  const rows = await queryRows<{ kind: DeliveryKind; status: DeliveryStatus; n: string }>(
    sequelize,
    undefined,
    `SELECT kind, status, count(*) AS n FROM impact_sync_deliveries
      WHERE ($1::text IS NULL OR program_key = $1) GROUP BY kind, status`,
    [f.programKey ?? null],
  );
  const byKind = Object.fromEntries(deliveryKinds.map((k) => [k, zeros()])) as DeliveryCounts;
  for (const row of rows) byKind[row.kind][row.status] = toInt(row.n);
  const byCategory = Object.fromEntries(
    Object.entries(deliveryCategories).map(([category, kinds]) => {
      const sum = zeros();
      for (const kind of kinds) for (const status of deliveryStatuses) sum[status] += byKind[kind][status];
      return [category, sum];
    }),
  ) as DeliveryOverview['byCategory'];
  return { byKind, byCategory };
}

/** One recorded attempt of a delivery. */
export interface DeliveryAttempt {
  attempt: number;
  outcome: AttemptOutcome;
  errorCode: string | null;
  errorMessage: string | null;
  httpStatus: number | null;
  requestId: string | null;
  nextAttemptAt: Date | null;
  recordedAt: Date;
}

/** Every attempt of one piece of work, in the order they were recorded. */
export async function listDeliveryAttempts(sequelize: Sequelize, kind: DeliveryKind, businessId: string): Promise<DeliveryAttempt[]> {
  const rows = await queryRows<{
    attempt: number;
    outcome: AttemptOutcome;
    error_code: string | null;
    error_message: string | null;
    http_status: number | null;
    request_id: string | null;
    next_attempt_at: Date | null;
    recorded_at: Date;
  }>(
    sequelize,
    undefined,
    `SELECT a.* FROM impact_sync_attempts a JOIN impact_sync_deliveries d ON d.id = a.delivery_id
      WHERE d.kind = $1 AND d.business_id = $2 ORDER BY a.id`,
    [kind, businessId],
  );
  return rows.map((r) => ({
    attempt: toInt(r.attempt),
    outcome: r.outcome,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    httpStatus: r.http_status,
    requestId: r.request_id,
    nextAttemptAt: r.next_attempt_at,
    recordedAt: r.recorded_at,
  }));
}

/** Of the given business ids, those with no delivery of this kind yet (in the order given). */
export async function findWorkWithoutDelivery(sequelize: Sequelize, kind: DeliveryKind, businessIds: readonly string[]): Promise<string[]> {
  if (businessIds.length === 0) return [];
  const rows = await queryRows<{ business_id: string }>(
    sequelize,
    undefined,
    'SELECT business_id FROM impact_sync_deliveries WHERE kind = $1 AND business_id = ANY($2::text[])',
    [kind, [...businessIds]],
  );
  const known = new Set(rows.map((r) => r.business_id));
  return businessIds.filter((id) => !known.has(id));
}

/**
 * Impact reward ids already chosen by OTHER local rewards of the same user and product: a
 * selection excludes them, so two local rewards never redeem one Impact reward.
 */
export async function listChosenImpactRewardIds(
  sequelize: Sequelize,
  filter: { product: string; userId: string; exceptRewardId?: string },
): Promise<string[]> {
  const rows = await queryRows<{ chosen_impact_reward_id: string }>(
    sequelize,
    undefined,
    `SELECT chosen_impact_reward_id FROM impact_sync_deliveries
      WHERE kind = 'reward_redemption' AND user_id = $1 AND product = $2 AND chosen_impact_reward_id IS NOT NULL
        AND ($3::text IS NULL OR business_id <> $3)
      ORDER BY id`,
    [filter.userId, filter.product, filter.exceptRewardId ?? null],
  );
  return rows.map((r) => r.chosen_impact_reward_id);
}
