import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/**
 * Two projects: every test against the embedded store, and the store conformance suite (the
 * core's behaviour tests and the store's own) again against PostgreSQL (test/helpers/core.ts).
 */
const CONFORMANCE = [
  'test/integration/core-*.test.ts',
  'test/integration/exactly-once.test.ts',
  'test/integration/store-conformance.test.ts',
];

export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest-results.json' }]],
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.{ts,tsx}'] } },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: CONFORMANCE,
          env: { PAYDESK_TEST_STORE: 'postgres' },
          setupFiles: ['test/helpers/postgres-setup.ts'],
        },
      },
    ],
  },
});
