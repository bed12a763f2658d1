export { createTestDatabase, useTestDatabase, type TestDatabase } from './test-database';
export { eventually } from './eventually';
