// `npm run test:faults`: the fault suite (issue 14, item 7). Each `*.faults.spec.ts` injects one
// fault into the real stack (worker processes killed, Temporal stopped, PostgreSQL cut, Impact
// failing, relays and workers doubled) and checks nothing is lost or doubled. Apart from `nx test
// api` (which ignores these files) because it takes minutes and stops and starts processes.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'api-faults',
  testMatch: ['**/*.faults.spec.ts'],
  // Two files at a time: each injects its fault into its own processes, proxy or Temporal server,
  // and most of a file's time is waiting (fault durations, retries), so two overlap well on 2 cores.
  maxWorkers: 2,
  globalSetup: '<rootDir>/../../tools/dev-stack/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/dev-stack/src/jest/global-teardown.ts',
};
