module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'rewarding',
  // Starts an embedded PostgreSQL (no Temporal: rewarding only writes outbox rows) unless DATABASE_URL points at a server.
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup-postgres.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
