const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'api',
  // The fault suite runs on its own (`npm run test:faults`, jest.faults.config.js), not twice in CI.
  testPathIgnorePatterns: [...preset.testPathIgnorePatterns, '\\.faults\\.spec\\.ts$'],
  // Real PostgreSQL and a real Temporal dev server from the dev-stack launcher (or the environment).
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
