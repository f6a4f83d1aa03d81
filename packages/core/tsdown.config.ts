import { defineConfig } from 'tsdown';

export default defineConfig({
  // Both `#platform` files (package.json `imports`): which one an app gets is its bundler's or Node's choice (the
  // `browser` condition), so both ship, and imports of `#platform` stay as they are (see `external`).
  entry: ['src/index.ts', 'src/platform/node.ts', 'src/platform/browser.ts'],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  // One output file per source file: with `sideEffects: false`, an app's bundler drops whole unused modules
  // (the link parser, when only the client is imported).
  unbundle: true,
  sourcemap: true,
  clean: true,
  external: ['rxjs', 'xstate', 'ofetch', 'isomorphic-ws', 'ws', '#platform'],
});
