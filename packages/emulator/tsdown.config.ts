import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: 'esm',
  platform: 'node',
  // package.json (exports, bin) names dist/*.js and dist/*.d.ts; the node platform would default to .mjs.
  fixedExtension: false,
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
