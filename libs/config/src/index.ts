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
export { conversionKeyString, parseConversionKey, type ConversionKey } from './conversion-key';
