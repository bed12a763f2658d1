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
