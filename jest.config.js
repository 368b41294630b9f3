/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { "^.+\\.ts$": "ts-jest" },
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60000,
  // strip-bom 5 (used by @microsoft/app-manifest) is ESM-only; see test/support/strip-bom.js.
  moduleNameMapper: { '^strip-bom$': '<rootDir>/test/support/strip-bom.js' },
};
