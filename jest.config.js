/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: {
    '^netns-native$': '<rootDir>/lib/index.ts',
    '^netns-native/testing$': '<rootDir>/lib/testing.ts',
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Kernel tests create namespaces and links; a few wait on RCU or on namespace teardown.
  testTimeout: 60000,
  // Removes what test/helpers/child.ts compiled (jest workers exit without their exit hooks).
  globalTeardown: '<rootDir>/test/helpers/global-teardown.js',
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
