import type { Config } from 'jest';

// Tests run against the packages' sources (no build needed); `tsc -b` type-checks them separately,
// so ts-jest only transpiles.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { tsconfig: { module: 'commonjs', moduleResolution: 'node10', isolatedModules: true, esModuleInterop: true, target: 'ES2022' } },
    ],
  },
  moduleNameMapper: {
    '^@cometkit/core/testing$': '<rootDir>/packages/core/src/testing/index.ts',
    '^@cometkit/core/kit$': '<rootDir>/packages/core/src/kit.ts',
    '^@cometkit/bayeux/testing$': '<rootDir>/packages/bayeux/src/testing/index.ts',
    '^@cometkit/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testTimeout: 20_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};

export default config;
