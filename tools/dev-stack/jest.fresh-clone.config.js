// `npm run test:fresh-clone`: issue 19's acceptance (a clone, `npm install && npm start` without a
// Temporal CLI, the examples, `npm run demo`, Ctrl-C). Apart from `nx test dev-stack` because it
// installs the whole workspace into a temporary folder (minutes); .ci/run runs it once.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'dev-stack-fresh-clone',
  testMatch: ['**/*.acceptance.spec.ts'],
};
