/**
 * The core's own process in the desktop app (bundled to out/main/core-host.js; the main
 * process starts it with Electron's utilityProcess.fork, see core-process/remote-core.ts).
 * The store, the gateway, the invoker and the scheduler run here, so that every commit's
 * fsync and a long recurring run hold up this event loop, not the main process's, where the
 * windows, menus and IPC are. It speaks core-process/protocol.ts over `process.parentPort`
 * and imports nothing of Electron.
 */
import { openCore } from './core';
import { serveCore, type ParentPortLike } from './core-process/host';

const log = (message: string): void => console.log(`[paydesk core] ${message}`);

// Electron gives a utility process `process.parentPort`; plain Node has none.
const port: ParentPortLike | undefined = Reflect.get(process, 'parentPort');
if (port) {
  serveCore(port, { open: openCore, pid: process.pid, exit: (code) => process.exit(code), log });
} else {
  console.error('[paydesk core] this is the core of the desktop app: Paydesk starts it itself');
  process.exit(2);
}
