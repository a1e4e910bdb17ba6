import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start real brokers, SQLite files and processes: two cores, so keep it modest.
    maxWorkers: 2,
    // mDNS stays inside the network namespaces the discovery tests build: simulated devices spawned
    // elsewhere must not multicast onto the machine's real interfaces.
    env: { HEARTH_DEVICE_MDNS: 'off' },
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
