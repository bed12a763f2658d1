module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'impact-sync',
  // Starts an embedded PostgreSQL (no Temporal) unless DATABASE_URL points at a server.
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup-postgres.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
