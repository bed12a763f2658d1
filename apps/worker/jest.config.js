module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'worker',
  // Real PostgreSQL and a real Temporal dev server from the dev-stack launcher (or the environment).
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
