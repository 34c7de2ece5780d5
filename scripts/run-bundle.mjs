/**
 * What `npm run serve` and `npm run gateway` share: build the app first (npx electron-vite
 * build) when a file the program needs is missing from out/, or when --build is given; then
 * import the program's bundle and call its `main` with the other arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * @param {string} name what the program calls itself in its messages
 * @param {string[]} needs files of out/ (paths from the project's root), the bundle first
 * @param {string[]} args the command line's arguments
 */
export async function runBundle(name, needs, args) {
  const rebuild = args.includes('--build');
  const rest = args.filter((arg) => arg !== '--build');
  const paths = needs.map((file) => fileURLToPath(new URL(`../${file}`, import.meta.url)));
  if (rebuild || !paths.every((file) => existsSync(file))) {
    process.stderr.write(`${name}: building (npx electron-vite build)...\n`);
    // The build's output goes to stderr so that stdout carries only the program's own lines.
    const build = spawnSync('npx', ['electron-vite', 'build'], {
      cwd: root,
      stdio: ['ignore', 2, 2],
      shell: process.platform === 'win32',
    });
    if (build.status !== 0) {
      process.stderr.write(`${name}: the build failed (exit ${build.status ?? build.signal})\n`);
      process.exit(1);
    }
  }
  const { main } = await import(pathToFileURL(paths[0]).href);
  await main(rest);
}
