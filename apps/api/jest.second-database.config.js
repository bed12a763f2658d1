const api = require('./jest.config.js');

// CI's second run on the machine's PostgreSQL (.ci/run): the api's suites but the *.worker.e2e ones,
// which are about Temporal and ran on PostgreSQL in the first run.
module.exports = {
  ...api,
  testPathIgnorePatterns: [...api.testPathIgnorePatterns, '\\.worker\\.e2e\\.spec\\.ts$'],
};
