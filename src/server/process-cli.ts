/**
 * What the two command-line programs (`npm run serve`: ./cli.ts, `npm run gateway`:
 * ../gateway-service/cli.ts) share about their process: writing lines, exiting once the
 * output is flushed, and stopping on Ctrl+C or SIGTERM — the first signal stops cleanly
 * (what is in flight is finished), a second one exits at once.
 */

export interface ProcessCli {
  say(line: string): void;
  /** A line on stderr, prefixed with the program's name. */
  complain(line: string): void;
  /**
   * Exit with `code` once the output is flushed: by itself when nothing keeps the event loop
   * busy, else after a short grace period.
   */
  exitSoon(code: number): void;
  /**
   * On SIGINT or SIGTERM: say `stopping`, run `stop`, then exit 0 (1 if it fails). A second
   * signal exits 1 at once, saying `again`: why that loses nothing.
   */
  stopOnSignals(stop: () => Promise<void>, words: { stopping: string; again: string }): void;
}

export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function processCli(name: string): ProcessCli {
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const complain = (line: string): void => void process.stderr.write(`${name}: ${line}\n`);
  const exitSoon = (code: number): void => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 500).unref();
  };
  const stopOnSignals: ProcessCli['stopOnSignals'] = (stop, words) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        complain(`${signal} again: exiting now (${words.again})`);
        process.exit(1);
      }
      stopping = true;
      say(`${signal}: stopping (${words.stopping})...`);
      stop().then(
        () => {
          say('Stopped.');
          exitSoon(0);
        },
        (error: unknown) => {
          complain(`could not stop cleanly: ${messageOf(error)}`);
          exitSoon(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  };
  return { say, complain, exitSoon, stopOnSignals };
}
