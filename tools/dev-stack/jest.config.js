const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'dev-stack',
  // The fresh-clone acceptance runs on its own (`npm run test:fresh-clone`, jest.fresh-clone.config.js).
  testPathIgnorePatterns: [...preset.testPathIgnorePatterns, '\\.acceptance\\.spec\\.ts$'],
};
