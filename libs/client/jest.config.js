module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'client',
  // The drift check's spec sits beside the generator, outside src/.
  roots: ['<rootDir>/src', '<rootDir>/codegen'],
};
