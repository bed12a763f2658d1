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
