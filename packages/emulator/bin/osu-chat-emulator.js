#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm install` (the root `prepare` script builds every package).
import { main } from '../dist/cli.js';

main(process.argv.slice(2));
