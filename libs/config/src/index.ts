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
export { EXTERNAL_ID_MAX_LENGTH } from './ids';
export {
  CONVERSION_KEY_MAX_LENGTH,
  conversionKeyString,
  parseConversionKey,
  PROVIDER_KEY_PATTERN,
  providerKeySchema,
  type ConversionKey,
} from './conversion-key';
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
