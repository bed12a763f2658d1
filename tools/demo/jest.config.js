module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'demo',
  // No global stack: the e2e spec runs `npm start` itself (its own PostgreSQL, Temporal, api, worker, fake Impact).
};
