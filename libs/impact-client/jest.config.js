const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'impact-client',
  // jose (used by the tests to verify tokens with a library other than the signer) ships ESM only;
  // let SWC turn it into CommonJS like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
