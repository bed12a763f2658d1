import { createHmac } from 'node:crypto';
import { type Sequelize, type Transaction } from 'sequelize';
import { parseInput, recordAccountDeletionSchema, type RecordAccountDeletionInput } from './attribution.schemas';
import { queryRows } from '@referrals/sql';

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The form of an email under which one mailbox has one spelling, so that re-registering a deleted
 * account with `Jane.Doe+again@GoogleMail.com` is recognised: Unicode NFKC, trimmed, lower-cased,
 * the `+tag` of the local part dropped, and for Gmail the dots dropped and googlemail.com read as
 * gmail.com (Gmail ignores both). Replace it through the service's `normalizeEmail` dependency
 * when the host's mail provider rules differ.
 */
export function normalizeEmail(email: string): string {
  const text = email.normalize('NFKC').trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at < 1) return text;
  let local = text.slice(0, at);
  let domain = text.slice(at + 1);
  local = local.split('+', 1)[0] ?? local;
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.replaceAll('.', '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

/**
 * An irreversible, keyed digest of a normalized email: HMAC-SHA-256 under a server secret, hex. A
 * plain SHA-256 of an email can be reversed by hashing a list of known addresses; without the
 * secret, the stored digests reveal nothing. Rotating the secret forgets the tombstones.
 */
export function hashEmail(secret: string, normalizedEmail: string): string {
  return createHmac('sha256', secret).update(normalizedEmail, 'utf8').digest('hex');
}

export interface TombstoneDeps {
  readonly sequelize: Sequelize;
  readonly clock: () => Date;
  readonly emailHashSecret: string;
  readonly normalizeEmail: (email: string) => string;
}

/**
 * Remembers that an account with this email was deleted, as a digest only, so that a new signup
 * with it is not treated as a brand-new account (`deleted_account`). Idempotent.
 */
export async function recordAccountDeletion(deps: TombstoneDeps, input: RecordAccountDeletionInput): Promise<void> {
  const { email } = parseInput(recordAccountDeletionSchema, input, 'recordAccountDeletion');
  await writeDeletionTombstones(deps.sequelize, undefined, { ...deps, now: deps.clock() }, [email]);
}

/**
 * Writes the deleted-account digest of each email (HMAC of the normalized form) in the caller's
 * transaction, so a later signup with any spelling of it is `deleted_account`. Answers how many
 * digests were new (0 when every one was recorded before).
 */
export async function writeDeletionTombstones(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  deps: { emailHashSecret: string; normalizeEmail: (email: string) => string; now: Date },
  emails: readonly string[],
): Promise<number> {
  const hashes = [...new Set(emails.map((e) => hashEmail(deps.emailHashSecret, deps.normalizeEmail(e))))];
  if (hashes.length === 0) return 0;
  const rows = await queryRows<{ email_hash: string }>(
    sequelize,
    transaction,
    `INSERT INTO attribution_deleted_accounts (email_hash, deleted_at) SELECT h, $2 FROM unnest($1::text[]) AS h
     ON CONFLICT (email_hash) DO NOTHING RETURNING email_hash`,
    [hashes, deps.now],
  );
  return rows.length;
}


export async function isDeletedAccount(deps: Omit<TombstoneDeps, 'clock'>, email: string, transaction?: Transaction): Promise<boolean> {
  const rows = await queryRows<{ email_hash: string }>(
    deps.sequelize,
    transaction,
    'SELECT email_hash FROM attribution_deleted_accounts WHERE email_hash = $1',
    [hashEmail(deps.emailHashSecret, deps.normalizeEmail(email))],
  );
  return rows.length > 0;
}
