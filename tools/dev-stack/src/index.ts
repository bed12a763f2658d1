export { startDevStack, stackEnvVars, type DevStack, type StackMode, type StartOptions } from './dev-stack';
export { stackEnvSchema, type StackEnv, WORKSPACE_ROOT } from './stack-env';
export { findTemporalCli, TEMPORAL_INSTALL_HINT } from './temporal-cli';
export { acquireDataDirLock, StackAlreadyRunningError } from './data-dir-lock';
export { readStackUrls, removeStackUrls, type StackUrls, stackUrlsFile, writeStackUrls } from './stack-urls';
