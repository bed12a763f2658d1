export {
  ConfigError,
  displayValue,
  exitOnConfigError,
  hostPortVar,
  logLevelVar,
  optionalVar,
  parseEnv,
  portVar,
  postgresUrlVar,
} from './env';
export { PRODUCT_KEY_PATTERN, PRODUCT_KEY_RULE, productKeySchema } from './product-key';
export { conversionKeyString, type ConversionKey } from './conversion-key';
export {
  DEFAULT_EVENT_TIME_MAX_FUTURE_SKEW_MS,
  EARLIEST_EVENT_TIME,
  EVENT_TIME_ISSUE_CODES,
  eventTimeIssues,
  type EventTimeField,
  type EventTimeIssue,
  type EventTimeIssueCode,
  type EventTimePolicy,
} from './event-times';
