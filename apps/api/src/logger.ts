import pino, { type Logger } from 'pino';

/**
 * Paths never logged in full: credentials and the opaque tracking values (`_saasquatch` cookie,
 * `im_ref` click id) that would let anyone replay a referral.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.authToken',
  '*.apiKey',
  // Opaque tracking values and personal data, should a body or an outcome ever be logged.
  '*.saasquatchCookie',
  '*.clickId',
  '*.referralCode',
  '*.rsCode',
  '*.cookies',
  '*.email',
  '*.customerEmail',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'api' } }, destination);
}
