module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'outbox',
  // Starts an embedded PostgreSQL and a Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS are set.
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
