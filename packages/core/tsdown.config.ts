import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  dts: true,
  // One output file per source file: with `sideEffects: false`, an app's bundler drops whole unused modules
  // (the link parser, when only the client is imported).
  unbundle: true,
  sourcemap: true,
  clean: true,
  external: ['rxjs', 'xstate', 'ofetch', 'isomorphic-ws', 'ws'],
});
