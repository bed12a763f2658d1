import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { LOG_REDACT_PATHS } from './redact';

/**
 * The logger the client uses when none is injected: pino with the redaction paths as a safety net
 * under the explicit redaction in every log call. Services pass their own (child) logger instead;
 * the client's log lines never rely on the logger's redaction.
 */
export function createImpactLogger(options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const merged: LoggerOptions = {
    name: 'impact-client',
    level: process.env['LOG_LEVEL'] ?? 'info',
    ...options,
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(merged, destination) : pino(merged);
}
