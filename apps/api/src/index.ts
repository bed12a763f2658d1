export { createApp, type AppDeps } from './app';
export { loadApiConfig, type ApiConfig } from './config';
export { allMigrationSources } from './migrations';
