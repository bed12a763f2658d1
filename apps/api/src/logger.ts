import { logSafeError } from '@referrals/db';
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

/**
 * Errors are logged through `logSafeError`: a database error without its statement, bind
 * parameters or row values (they can hold a full `_saasquatch` cookie or an email).
 */
export const ERROR_SERIALIZERS = { err: (error: unknown) => logSafeError(pino.stdSerializers.err(error as Error)), error: (error: unknown) => logSafeError(pino.stdSerializers.err(error as Error)) };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: ERROR_SERIALIZERS, base: { service: 'api' } }, destination);
}
