module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'admin',
  // The e2e specs drive Chromium against the api process on a real PostgreSQL and Temporal.
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
