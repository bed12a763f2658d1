import { programRetired, type ProgramStore } from '@referrals/programs';
import { type Sequelize, type Transaction } from 'sequelize';
import {
  associateTouchesSchema,
  captureTouchSchema,
  listTouchesSchema,
  parseInput,
  type AssociateTouchesInput,
  type CaptureTouchInput,
  type ListTouchesFilter,
} from './attribution.schemas';
import { contentHash, queryRows } from '@referrals/sql';
import { idOrNull } from './attribution-sql';
import { sanitizeLandingPath } from './landing-path';
import { type TouchBatchWriter } from './touch-batch-writer';
import { type TouchProgramLookup } from './touch-program-lookup';
import { assessTouch, type TouchStatus } from './tracking-values';

export type TouchKind = 'referral' | 'affiliate';

export interface TouchMetadata {
  readonly rsCode?: string;
  readonly rsShareMedium?: string;
  readonly rsEngagementMedium?: string;
  readonly utm?: { readonly source?: string; readonly medium?: string; readonly campaign?: string; readonly term?: string; readonly content?: string };
}

/** A captured touch, as stored. Tracking values may be truncated (see `truncated`). */
export interface Touch {
  readonly id: string;
  readonly kind: TouchKind;
  readonly anonymousId: string | null;
  readonly userId: string | null;
  readonly product: string;
  readonly programKey: string | null;
  readonly saasquatchCookie: string | null;
  readonly referralCode: string | null;
  readonly clickId: string | null;
  readonly metadata: TouchMetadata;
  readonly landingPath: string | null;
  readonly status: TouchStatus;
  /** Only accepted touches create referrals and win conversions; the others are kept for diagnostics. */
  readonly accepted: boolean;
  /** Original lengths of the tracking values stored truncated (`{ saasquatchCookie: 900 }`). */
  readonly truncated: Readonly<Record<string, number>>;
  /** Server UTC time of the capture. */
  readonly touchedAt: Date;
  readonly associatedAt: Date | null;
  /** When an affiliate touch first won a SALE (the conversion's time), and which conversion. */
  readonly saleAttributedAt: Date | null;
  readonly saleAttributedConversionId: string | null;
}

export interface TouchRow {
  id: string;
  kind: TouchKind;
  anonymous_id: string | null;
  user_id: string | null;
  product: string;
  program_key: string | null;
  saasquatch_cookie: string | null;
  referral_code: string | null;
  click_id: string | null;
  metadata: TouchMetadata;
  landing_path: string | null;
  status: TouchStatus;
  truncated: Record<string, number>;
  touched_at: Date;
  associated_at: Date | null;
  sale_attributed_at: Date | null;
  sale_attributed_conversion_id: string | null;
}

export const TOUCH_COLUMNS = `id, kind, anonymous_id, user_id, product, program_key, saasquatch_cookie, referral_code, click_id, metadata,
  landing_path, status, truncated, touched_at, associated_at, sale_attributed_at, sale_attributed_conversion_id`;

export function toTouch(row: TouchRow): Touch {
  return {
    id: String(row.id),
    kind: row.kind,
    anonymousId: row.anonymous_id,
    userId: row.user_id,
    product: row.product,
    programKey: row.program_key,
    saasquatchCookie: row.saasquatch_cookie,
    referralCode: row.referral_code,
    clickId: row.click_id,
    metadata: row.metadata,
    landingPath: row.landing_path,
    status: row.status,
    accepted: row.status === 'accepted',
    truncated: row.truncated,
    touchedAt: row.touched_at,
    associatedAt: row.associated_at,
    saleAttributedAt: row.sale_attributed_at,
    saleAttributedConversionId: idOrNull(row.sale_attributed_conversion_id),
  };
}

export interface TouchDeps {
  readonly sequelize: Sequelize;
  readonly programs: ProgramStore;
  readonly clock: () => Date;
}

export interface CaptureTouchDeps extends TouchDeps {
  /** Inserts touches in groups (one commit for the touches that arrive together). */
  readonly touchWriter: TouchBatchWriter;
  /** Reads the programs touches name, grouped like the writes. */
  readonly programLookup: TouchProgramLookup;
}

export interface CaptureTouchResult {
  readonly touch: Touch;
  /** True when the same touch had been captured earlier in the same minute: nothing was written. */
  readonly replayed: boolean;
}

const MINUTE_MS = 60_000;

/**
 * Records a touch at the server's UTC time. Never grants anything and never fails for what the
 * visitor's browser sent: an oversized or missing tracking value, an unknown product or program
 * is stored with a status saying why the touch is not accepted. Only a malformed call (no owner,
 * unknown fields, oversized ids or metadata) is an `input_invalid` error, and it writes nothing.
 *
 * Idempotent per minute: the same touch (same owner, kind, product, program, values, metadata and
 * landing path) captured again in the same UTC calendar minute is the first row. A unique index
 * on (content hash, minute) decides, so concurrent retries cannot both insert.
 *
 * The row goes in through the group-commit writer (`touch-batch-writer.ts`): under load, touches
 * that arrive together share one INSERT and one commit; the answer still waits for this row.
 */
export async function captureTouch(deps: CaptureTouchDeps, input: CaptureTouchInput): Promise<CaptureTouchResult> {
  const touch = parseInput(captureTouchSchema, input, 'captureTouch');
  const touchedAt = deps.clock();
  const touchedMinute = new Date(Math.floor(touchedAt.getTime() / MINUTE_MS) * MINUTE_MS);

  const productKnown = deps.programs.catalogs.has(touch.product);
  const referralCode = touch.kind === 'referral' ? touch.referralCode : undefined;
  const program = productKnown
    ? await resolveTouchProgram(deps, { kind: touch.kind, product: touch.product, programKey: touch.programKey, referralCode })
    : { known: true, resolved: true, key: null };
  const assessment = assessTouch({
    kind: touch.kind,
    saasquatchCookie: touch.kind === 'referral' ? touch.saasquatchCookie : undefined,
    referralCode: touch.kind === 'referral' ? touch.referralCode : undefined,
    clickId: touch.kind === 'affiliate' ? touch.clickId : undefined,
    rsCode: touch.metadata?.rsCode,
    productKnown,
    programKnown: program.known,
    programResolved: program.resolved,
  });
  const metadata = compactMetadata({ ...touch.metadata, rsCode: assessment.rsCode ?? undefined });
  const landingPath = touch.landingPath === undefined ? null : sanitizeLandingPath(touch.landingPath);
  // The identity of a touch is what was SENT (untruncated), so two long values differing after
  // character 512 stay two touches.
  const dedupeKey = contentHash({ ...touch, landingPath });

  // Column order: TOUCH_INSERT_COLUMNS.
  const { row, inserted } = await deps.touchWriter.write({
    values: [
      touch.kind,
      touch.anonymousId ?? null,
      touch.userId ?? null,
      touch.product,
      touch.programKey ?? program.key,
      assessment.saasquatchCookie,
      assessment.referralCode,
      assessment.clickId,
      JSON.stringify(metadata),
      landingPath,
      assessment.status,
      JSON.stringify(assessment.truncated),
      touchedAt,
      touchedMinute,
      dedupeKey,
    ],
    dedupeKey,
    touchedMinute,
  });
  return { touch: toTouch(row), replayed: !inserted };
}

/**
 * The program a touch targets [35]. A named program must exist in the touch's product. A referral
 * touch naming none is resolved through its native code: the code must belong to a program of the
 * product (the only one is recorded on the touch; one code in several programs stays resolvable at
 * signup, where the referrer is looked up in all of them). A `_saasquatch` value is opaque and
 * names no program, so an Advocate touch without a program key is kept for diagnostics only: it
 * could win attribution (and suppress an affiliate SALE) for a referral nobody can be credited for.
 * Affiliate touches target the product only.
 */
async function resolveTouchProgram(
  deps: Pick<CaptureTouchDeps, 'programLookup'>,
  touch: { kind: TouchKind; product: string; programKey: string | undefined; referralCode: string | undefined },
): Promise<{ known: boolean; resolved: boolean; key: string | null }> {
  if (touch.programKey !== undefined) {
    const program = await deps.programLookup.program(touch.programKey);
    // A retired program takes no new touches (Kilo 69a): refused, nothing stored.
    if (program !== null && program.product === touch.product && program.retired) throw programRetired(touch.programKey, 'programKey');
    return { known: program !== null && program.product === touch.product, resolved: true, key: null };
  }
  if (touch.kind === 'affiliate') return { known: true, resolved: true, key: null };
  if (touch.referralCode === undefined || touch.referralCode === '') return { known: true, resolved: false, key: null };
  const programs = await deps.programLookup.programsOfCode(touch.product, touch.referralCode);
  return { known: true, resolved: programs.length > 0, key: programs.length === 1 ? (programs[0] ?? null) : null };
}

export interface AssociateTouchesResult {
  /** Touches of the anonymous session that now belong to the user (0 when replayed). */
  readonly associated: number;
}

/**
 * Gives the anonymous session's touches to the user, at signup or on the first authenticated
 * request after it. Idempotent: only touches without a user move, so calling it again (or for a
 * session another user already claimed on a shared device) changes nothing. Grants nothing.
 */
export async function associateTouches(
  deps: Pick<TouchDeps, 'sequelize' | 'clock'>,
  input: AssociateTouchesInput,
  options: { transaction?: Transaction } = {},
): Promise<AssociateTouchesResult> {
  const { anonymousId, userId } = parseInput(associateTouchesSchema, input, 'associateTouches');
  const rows = await queryRows<{ id: string }>(
    deps.sequelize,
    options.transaction,
    `UPDATE attribution_touches SET user_id = $2, associated_at = $3
      WHERE anonymous_id = $1 AND user_id IS NULL RETURNING id`,
    [anonymousId, userId, deps.clock()],
  );
  return { associated: rows.length };
}

/** A user's or an anonymous session's touches, oldest first (support and diagnostics). */
export async function listTouches(sequelize: Sequelize, filter: ListTouchesFilter, options: { transaction?: Transaction } = {}): Promise<Touch[]> {
  const { userId, anonymousId, product } = parseInput(listTouchesSchema, filter, 'listTouches');
  const rows = await queryRows<TouchRow>(
    sequelize,
    options.transaction,
    `SELECT ${TOUCH_COLUMNS} FROM attribution_touches
      WHERE ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR anonymous_id = $2) AND ($3::text IS NULL OR product = $3)
      ORDER BY touched_at, id`,
    [userId ?? null, anonymousId ?? null, product ?? null],
  );
  return rows.map(toTouch);
}

/** The user's touches for one product, oldest first; `lock` holds them for the transaction. */
export async function touchesOfUser(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  userId: string,
  product: string,
  options: { lock?: boolean } = {},
): Promise<Touch[]> {
  const rows = await queryRows<TouchRow>(
    sequelize,
    transaction,
    `SELECT ${TOUCH_COLUMNS} FROM attribution_touches WHERE user_id = $1 AND product = $2 ORDER BY touched_at, id${options.lock ? ' FOR UPDATE' : ''}`,
    [userId, product],
    // In a transaction: on its connection directly (the qualifying-event hot path).
    { direct: true, prepare: true },
  );
  return rows.map(toTouch);
}

export async function touchById(sequelize: Sequelize, transaction: Transaction | undefined, id: string): Promise<Touch | null> {
  const [row] = await queryRows<TouchRow>(sequelize, transaction, `SELECT ${TOUCH_COLUMNS} FROM attribution_touches WHERE id = $1`, [id], { direct: true, prepare: true });
  return row ? toTouch(row) : null;
}

function compactMetadata(metadata: TouchMetadata): TouchMetadata {
  const utm = metadata.utm ? Object.fromEntries(Object.entries(metadata.utm).filter(([, v]) => v !== undefined && v !== '')) : {};
  return Object.fromEntries(
    Object.entries({ ...metadata, utm: Object.keys(utm).length > 0 ? utm : undefined }).filter(([, v]) => v !== undefined && v !== ''),
  ) as TouchMetadata;
}
