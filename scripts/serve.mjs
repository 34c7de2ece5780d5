#!/usr/bin/env node
/**
 * `npm run serve`: runs Paydesk headless. Builds first (npx electron-vite build) when the
 * server bundle or the web UI is missing, or when --build is given; then starts
 * out/main/server.js with the other arguments (see `npm run serve -- --help`).
 */
import { runBundle } from './run-bundle.mjs';

await runBundle(
  'paydesk',
  ['out/main/server.js', 'out/renderer/index.html'],
  process.argv.slice(2),
);
