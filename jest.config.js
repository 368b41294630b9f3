/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { "^.+\\.ts$": "ts-jest" },
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
};
