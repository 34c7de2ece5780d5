/** Types of scripts/electron.mjs (the `npm start` / `npm run dev` launcher), for the tests. */

export type Command = 'preview' | 'dev';
export type InstallResult = { ok: true } | { ok: false; reason?: string; url?: string };
export type Installer = (electronDir: string, env: NodeJS.ProcessEnv) => Promise<InstallResult>;
export type Launcher = (
  command: Command,
  args: string[],
  env: NodeJS.ProcessEnv,
) => Promise<number>;

export interface Deps {
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** null: the electron package is not installed. */
  electronDir?: string | null;
  install?: Installer;
  launch?: Launcher;
}

export function findElectronDir(): string | null;
export function installedBinary(electronDir: string): string | null;
export function electronCacheDir(env?: NodeJS.ProcessEnv, platform?: string, home?: string): string;
export function readInstallerOutput(stderr: string): { reason?: string; url?: string };
export const runElectronInstaller: Installer;
export const runElectronVite: Launcher;
export function wrap(text: string, width?: number): string;
export function failureParagraph(problem: string, env?: NodeJS.ProcessEnv): string;
export function main(argv: string[], deps?: Deps): Promise<number>;
