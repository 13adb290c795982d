// Unit tests sit beside the code (*.spec.ts); end-to-end tests, which need a
// real Docker engine and pack, live in packages/nx-cnb/e2e (*.e2e.ts).
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

module.exports = {
  // The compiled plugin in dist/ has the same package name as the source; jest must see only the source.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/packages/*/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/packages/*/e2e/**/*.e2e.ts'],
      testTimeout: 30 * 60 * 1000,
    },
  ],
};
