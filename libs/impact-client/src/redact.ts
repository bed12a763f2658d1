/**
 * Redaction for logs and stored error messages. Logs leave the process (log shipping, support
 * tickets), so they must never hold credentials, full emails, or full opaque tracking values
 * (`_saasquatch` cookies and `im_ref` click ids can be replayed to claim a referral). What stays is
 * enough to correlate: a short prefix and the length.
 */

const REDACTED = '[redacted]';

/** Secrets (tokens, API keys, Authorization headers): nothing of the value is kept. */
export function redactSecret(_value: unknown): string {
  return REDACTED;
}

/**
 * Opaque tracking values: keeps a prefix of at most 6 characters (and at most a quarter of the
 * value, so a short value is not shown almost whole) plus the length.
 */
export function redactOpaque(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value === '') return '';
  const keep = Math.min(6, Math.floor(value.length / 4));
  return `${value.slice(0, keep)}…[${value.length} chars]`;
}

/** `john.doe@example.com` → `jo***@e***.com`: enough to tell two users apart in an incident, no more. */
export function redactEmail(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const at = value.lastIndexOf('@');
  if (at < 0) return redactOpaque(value);
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, Math.min(2, Math.floor(local.length / 2)))}***@${domain.slice(0, 1)}***${tld}`;
}

/** Participant ids in Advocate are often the plain email (the production integration does that). */
export function redactIdentifier(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value.includes('@') ? redactEmail(value) : value;
}

const EMAIL_PATTERN = /[^\s"'<>@,;:()[\]]+@[^\s"'<>@,;:()[\]]+\.[A-Za-z]{2,}/g;
/** Long runs of token-like characters: JWTs, base64 cookies, API keys, click ids. */
const TOKEN_PATTERN = /[A-Za-z0-9+/=_\-.%]{24,}/g;
const MAX_TEXT_LENGTH = 500;

/**
 * Free text from a remote server (error messages) may echo what we sent. Emails and long
 * token-like runs are replaced; the result is cut to a bounded length.
 */
export function scrubText(text: string): string {
  const scrubbed = text
    .replace(EMAIL_PATTERN, (email) => redactEmail(email) ?? REDACTED)
    .replace(TOKEN_PATTERN, (token) => redactOpaque(token) ?? REDACTED);
  return scrubbed.length > MAX_TEXT_LENGTH ? `${scrubbed.slice(0, MAX_TEXT_LENGTH)}…` : scrubbed;
}

/**
 * pino `redact` paths used by {@link createImpactLogger}: a safety net under the explicit helpers
 * above, for fields that should never be logged even by mistake.
 */
export const LOG_REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.authorization',
  'authToken',
  '*.authToken',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'password',
  '*.password',
  'cookies',
  '*.cookies',
];
