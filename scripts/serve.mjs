#!/usr/bin/env node
/**
 * `npm run serve`: runs Paydesk headless. Builds first (npx electron-vite build) when the
 * server bundle or the web UI is missing, or when --build is given; then starts
 * out/main/server.js with the other arguments (see `npm run serve -- --help`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverBundle = fileURLToPath(new URL('../out/main/server.js', import.meta.url));
const uiIndex = fileURLToPath(new URL('../out/renderer/index.html', import.meta.url));

const args = process.argv.slice(2);
const rebuild = args.includes('--build');
const rest = args.filter((arg) => arg !== '--build');

if (rebuild || !existsSync(serverBundle) || !existsSync(uiIndex)) {
  process.stderr.write('paydesk: building (npx electron-vite build)...\n');
  // The build's output goes to stderr so that stdout carries only the server's own lines.
  const build = spawnSync('npx', ['electron-vite', 'build'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) {
    process.stderr.write(`paydesk: the build failed (exit ${build.status ?? build.signal})\n`);
    process.exit(1);
  }
}

const { main } = await import(pathToFileURL(serverBundle).href);
await main(rest);
