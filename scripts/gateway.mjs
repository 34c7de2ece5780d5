#!/usr/bin/env node
/**
 * `npm run gateway`: the mock gateway as a service of its own, for several desks to share.
 * Builds first (npx electron-vite build) when its bundle is missing, or when --build is
 * given; then starts out/main/gateway.js with the other arguments (`npm run gateway -- --help`).
 */
import { runBundle } from './run-bundle.mjs';

await runBundle('paydesk-gateway', ['out/main/gateway.js'], process.argv.slice(2));
