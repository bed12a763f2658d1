import { type ProgramStore, retiredProgramKeys } from '@referrals/programs';
import { type Sequelize, type Transaction } from 'sequelize';
import { AttributionError } from './attribution.errors';
import {
  conversionKeySchema,
  listConversionsSchema,
  parseInput,
  recordConversionSchema,
  type ConversionKey,
  type ListConversionsFilter,
  type RecordConversionInput,
} from './attribution.schemas';
import { contentHash, pgErrorOf, queryRows } from '@referrals/sql';
import { idOrNull, lockKeys } from './attribution-sql';
import { type Referral, referralOf } from './referrals';
import { type AttributionReason, type AttributionWinner, resolveAttribution, type TouchVerdict } from './resolve-attribution';
import { type Touch, touchById, touchesOfUser } from './touches';

/** The attribution outcome of one qualifying conversion, recorded once. */
export interface Conversion {
  readonly id: string;
  readonly provider: string;
  readonly sourceId: string;
  readonly product: string;
  readonly userId: string;
  readonly conversionTime: Date;
  readonly sale: boolean;
  readonly windowDays: number;
  readonly winner: AttributionWinner;
  readonly winningTouchId: string | null;
  /** The winning touch's kind (from its verdict), or null when nobody won. */
  readonly winningTouchKind: 'referral' | 'affiliate' | null;
  readonly reason: AttributionReason;
  /** The user's referral for the product, when a referral touch won and a referral exists. */
  readonly referralId: string | null;
  readonly verdicts: readonly { readonly touchId: string; readonly kind: 'referral' | 'affiliate'; readonly verdict: TouchVerdict }[];
  readonly recordedAt: Date;
}

export interface RecordConversionResult {
  readonly conversion: Conversion;
  /**
   * The referral to evaluate rewards for: set when a referral touch won and the user has a
   * referral for the product (check its status: only `qualified` referrals have a program).
   */
  readonly referral: Referral | null;
  /**
   * The user's referral for the product whoever won (null when the user has none): rewarding
   * records on it why a conversion rewarded nobody, e.g. an expired referral touch.
   */
  readonly userReferral: Referral | null;
  /**
   * The winning touch as it is now (its `clickId` is the `im_ref` to report an affiliate SALE
   * with; `saleAttributedAt` shows the attribution this conversion made), or null.
   */
  readonly touch: Touch | null;
  /** True when this conversion had been recorded before with the same content: nothing was written. */
  readonly replayed: boolean;
  /**
   * Set when the user's referral for the product belongs to a RETIRED program: its referral
   * touches did not compete (Kilo 69f), so an affiliate touch may have won instead.
   */
  readonly retiredProgramKey: string | null;
}

interface ConversionRow {
  id: string;
  provider: string;
  source_payment_id: string;
  product: string;
  user_id: string;
  conversion_time: Date;
  sale: boolean;
  window_days: number;
  winner: AttributionWinner;
  winning_touch_id: string | null;
  reason: AttributionReason;
  referral_id: string | null;
  verdicts: Conversion['verdicts'];
  content_hash: string;
  recorded_at: Date;
}

const CONVERSION_COLUMNS = `id, provider, source_payment_id, product, user_id, conversion_time, sale, window_days, winner, winning_touch_id,
  reason, referral_id, verdicts, content_hash, recorded_at`;

function toConversion(row: ConversionRow): Conversion {
  return {
    id: String(row.id),
    provider: row.provider,
    sourceId: row.source_payment_id,
    product: row.product,
    userId: row.user_id,
    conversionTime: row.conversion_time,
    sale: row.sale,
    windowDays: row.window_days,
    winner: row.winner,
    winningTouchId: idOrNull(row.winning_touch_id),
    winningTouchKind: row.winning_touch_id === null ? null : (row.verdicts.find((v) => v.touchId === String(row.winning_touch_id))?.kind ?? null),
    reason: row.reason,
    referralId: idOrNull(row.referral_id),
    verdicts: row.verdicts,
    recordedAt: row.recorded_at,
  };
}

/** Runs an operation inside the caller's transaction instead of one of its own. */
export interface JoinTransaction {
  readonly transaction?: Transaction;
}

export interface ConversionDeps {
  readonly sequelize: Sequelize;
  readonly programs: ProgramStore;
  readonly clock: () => Date;
  /** The window when neither the call nor a pinned program gives one (30). */
  readonly defaultWindowDays: number;
}

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/**
 * Statements of the recording transaction run on its node-postgres connection directly (see
 * `queryRows` of @referrals/sql): this path runs for every qualifying event, and Sequelize's
 * per-query work was most of its client CPU. They are fixed texts, prepared once per connection:
 * parsing and planning them again was a quarter of PostgreSQL's time per payment.
 */
const DIRECT = { direct: true, prepare: true } as const;

/**
 * Resolves and records who wins a qualifying conversion (identified by provider + source payment
 * id) among the user's touches for the product, and marks the winning affiliate touch
 * sale-attributed when the conversion is a SALE. The window is the call's `windowDays`, else the
 * attribution window of the program pinned on the user's qualified referral, else the default.
 *
 * One transaction, under two advisory locks taken in a fixed order: the conversion's key (so a
 * replay waits for the first recording and returns it) and the (product, user) pair (so two
 * conversions of one user decide one after the other, each seeing the other's sale attribution).
 * A replay with the same content returns the original outcome, even if touches changed since;
 * with other content it is `conversion_exists_with_different_content`.
 */
export async function recordConversion(deps: ConversionDeps, input: RecordConversionInput, options: JoinTransaction = {}): Promise<RecordConversionResult> {
  const request = parseInput(recordConversionSchema, input, 'recordConversion');
  if (!deps.programs.catalogs.has(request.product)) {
    throw new AttributionError('product_unknown', `product "${request.product}" is unknown`, {
      issues: [
        { code: 'product_unknown', path: 'product', message: `has no program catalog; known products: ${deps.programs.catalogs.products().join(', ')}` },
      ],
    });
  }
  const hash = contentHash({
    provider: request.provider,
    // The hashed field keeps its first name: conversions recorded before the ConversionKey
    // convention must still replay as the same content.
    sourcePaymentId: request.sourceId,
    product: request.product,
    userId: request.userId,
    conversionTime: request.conversionTime,
    sale: request.sale,
    windowDays: request.windowDays,
  });
  // Joined to the caller's transaction (one business event, one transaction): the caller retries it.
  if (options.transaction) return recordInTransaction(deps, options.transaction, request, hash);

  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.sequelize.transaction((t) => recordInTransaction(deps, t, request, hash));
    } catch (error) {
      const { code } = pgErrorOf(error);
      if (code === undefined || !RETRYABLE_SQLSTATES.has(code)) throw error;
      if (attempt >= 5) throw new AttributionError('transaction_conflict', `recordConversion was aborted ${attempt} times`);
    }
  }
}

type ParsedConversion = ReturnType<typeof recordConversionSchema.parse>;

async function recordInTransaction(deps: ConversionDeps, t: Transaction, request: ParsedConversion, hash: string): Promise<RecordConversionResult> {
  const { sequelize } = deps;
  // The conversion, then the (product, user) pair: the order every caller takes them in.
  await lockKeys(sequelize, t, [`conversion:${request.provider}:${request.sourceId}`, `user:${request.product}:${request.userId}`]);

  const [existing] = await queryRows<ConversionRow>(
    sequelize,
    t,
    `SELECT ${CONVERSION_COLUMNS} FROM attribution_conversions WHERE provider = $1 AND source_payment_id = $2`,
    [request.provider, request.sourceId],
    DIRECT,
  );
  if (existing) {
    if (existing.content_hash !== hash) {
      throw new AttributionError(
        'conversion_exists_with_different_content',
        `conversion ${request.provider}/${request.sourceId} was recorded with other content; the first recording stands`,
        { details: { conversionId: String(existing.id) } },
      );
    }
    const conversion = toConversion(existing);
    const userReferral = await referralOf(sequelize, t, conversion.product, conversion.userId);
    const referral = conversion.referralId ? userReferral : null;
    const touch = conversion.winningTouchId ? await touchById(sequelize, t, conversion.winningTouchId) : null;
    const retired = await retiredProgramKeys(sequelize, t, referral?.programKey ? [referral.programKey] : []);
    return { conversion, referral, userReferral, touch, replayed: true, retiredProgramKey: referral?.programKey && retired.has(referral.programKey) ? referral.programKey : null };
  }

  const referral = await referralOf(sequelize, t, request.product, request.userId);
  const windowDays = request.windowDays ?? (await pinnedWindowDays(deps.programs, referral, t)) ?? deps.defaultWindowDays;
  const allTouches = await touchesOfUser(sequelize, t, request.userId, request.product, { lock: true });
  // Referral touches of a retired program, or of a user whose referral is in one, do not compete:
  // they can neither be credited nor suppress an affiliate SALE (Kilo 69a, 69f).
  const retired = await retiredProgramKeys(sequelize, t, [referral?.programKey, ...allTouches.map((x) => (x.kind === 'referral' ? x.programKey : null))].filter((k): k is string => typeof k === 'string'));
  const retiredProgramKey = referral?.programKey && retired.has(referral.programKey) ? referral.programKey : null;
  const touches = allTouches.filter((x) => x.kind !== 'referral' || (retiredProgramKey === null && !(x.programKey !== null && retired.has(x.programKey))));
  const outcome = resolveAttribution(touches, request.conversionTime, { windowDays });
  const referralId = outcome.winner === 'referral' ? (referral?.id ?? null) : null;

  const [row] = await queryRows<ConversionRow>(
    sequelize,
    t,
    `INSERT INTO attribution_conversions (provider, source_payment_id, product, user_id, conversion_time, sale, window_days, winner,
       winning_touch_id, reason, referral_id, verdicts, content_hash, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14)
     RETURNING ${CONVERSION_COLUMNS}`,
    [
      request.provider,
      request.sourceId,
      request.product,
      request.userId,
      request.conversionTime,
      request.sale,
      windowDays,
      outcome.winner,
      outcome.touch?.id ?? null,
      outcome.reason,
      referralId,
      JSON.stringify(outcome.verdicts),
      hash,
      deps.clock(),
    ],
    DIRECT,
  );
  if (!row) throw new Error('INSERT ... RETURNING returned no row');
  const saleAttributed = outcome.winner === 'affiliate' && request.sale && outcome.touch !== null;
  if (saleAttributed && outcome.touch) {
    // The earliest SALE stands: a conversion recorded late for an earlier payment moves it back.
    await queryRows(
      sequelize,
      t,
      `UPDATE attribution_touches SET sale_attributed_at = $2, sale_attributed_conversion_id = $3
        WHERE id = $1 AND (sale_attributed_at IS NULL OR sale_attributed_at > $2) RETURNING id`,
      [outcome.touch.id, request.conversionTime, row.id],
      DIRECT,
    );
  }
  // The winner as read under the lock above, unless this conversion just marked it sale-attributed.
  const winnerId = outcome.touch?.id;
  const read = saleAttributed ? undefined : touches.find((x) => x.id === winnerId);
  const touch = winnerId === undefined ? null : (read ?? (await touchById(sequelize, t, winnerId)));
  return { conversion: toConversion(row), referral: referralId ? referral : null, userReferral: referral, touch, replayed: false, retiredProgramKey };
}

/** The attribution window of the program version pinned on a qualified referral. */
async function pinnedWindowDays(programs: ProgramStore, referral: Referral | null, t: Transaction): Promise<number | undefined> {
  if (!referral || referral.programKey === null || referral.programVersion === null) return undefined;
  const pinned = await programs.load(referral.programKey, referral.programVersion, { transaction: t });
  return pinned.document.limits.attributionWindowDays;
}

/** A recorded conversion by its identity, or null. */
/** A user's conversions (any product), newest first: the support view's list, each with who won and why. */
export async function listConversions(sequelize: Sequelize, filter: ListConversionsFilter): Promise<Conversion[]> {
  const { userId, limit } = parseInput(listConversionsSchema, filter, 'listConversions');
  const rows = await queryRows<ConversionRow>(
    sequelize,
    undefined,
    `SELECT ${CONVERSION_COLUMNS} FROM attribution_conversions WHERE user_id = $1 ORDER BY conversion_time DESC, id DESC LIMIT $2`,
    [userId, limit],
  );
  return rows.map(toConversion);
}

export async function findConversion(sequelize: Sequelize, key: ConversionKey, options: JoinTransaction = {}): Promise<Conversion | null> {
  const { provider, sourceId } = parseInput(conversionKeySchema, key, 'findConversion');
  const [row] = await queryRows<ConversionRow>(
    sequelize,
    options.transaction,
    `SELECT ${CONVERSION_COLUMNS} FROM attribution_conversions WHERE provider = $1 AND source_payment_id = $2`,
    [provider, sourceId],
  );
  return row ? toConversion(row) : null;
}
