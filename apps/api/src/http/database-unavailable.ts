import { pgErrorOf } from '@referrals/sql';

/** Sequelize's names for "no usable connection to PostgreSQL". */
const CONNECTION_ERROR_NAMES = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionAcquireTimeoutError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeAccessDeniedError',
]);
/** Socket failures under node-postgres. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * True when a request failed because PostgreSQL cannot be used right now (down, restarting,
 * unreachable, a connection cut mid-query), not because of the request: the client should retry
 * later (503 with Retry-After). SQLSTATE classes 08 (connection exception) and 57P0x (operator
 * intervention: shutdown, crash, cannot connect now) count; so do pg's connection-ended errors.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown; parent?: unknown }).parent ?? (e as { cause?: unknown }).cause, depth++) {
    const { code } = pgErrorOf(e);
    if (code !== undefined && (code.startsWith('08') || /^57P0[1-3]$/.test(code) || NETWORK_CODES.has(code))) return true;
    const name = (e as { name?: unknown }).name;
    if (typeof name === 'string' && CONNECTION_ERROR_NAMES.has(name)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /Connection terminated|connection is closed|Client has encountered a connection error/i.test(message)) return true;
  }
  return false;
}
