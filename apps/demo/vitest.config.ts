import { defineConfig } from 'vitest/config';
import { sourceResolution } from '../../vitest.shared.js';

// The e2e test runs in Node: it starts the emulator and a Vite build + preview, and drives real Chromium.
export default defineConfig({
  ...sourceResolution,
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // The browser and the emulator are real: give delivery time under a loaded CI machine (turbo runs every
    // package's tests at once).
    expect: { poll: { timeout: 10_000, interval: 50 } },
  },
});
