module.exports = { ...require('../../jest.preset.js'), displayName: 'rule-dsl' };
