module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'db',
  // Starts (or reuses, via DATABASE_URL) the real PostgreSQL of the dev stack.
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
