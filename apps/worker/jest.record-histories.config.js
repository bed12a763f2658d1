// `npm run workflows:record-histories`: runs only the history recorder (src/replay), which the
// project's tests never run (it writes fixtures; the replay spec reads them).
module.exports = {
  ...require('./jest.config.js'),
  displayName: 'worker:record-histories',
  testMatch: ['**/src/replay/record-histories.recorder.ts'],
};
