// `npm run test:fuzz`: the property-based run over every operation of /openapi.json (schemathesis),
// apart from `nx test api` because it takes minutes and needs the `st` CLI (pip install schemathesis).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'api-fuzz',
  testMatch: ['**/*.fuzz.ts'],
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
