import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@osu-chat/source'] },
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 10_000,
  },
});
