import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// The e2e test runs in Node: it starts the emulator and a Vite build + preview, and drives real Chromium.
const conditions = ['@osu-chat/source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@osu-chat/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
