/**
 * The preload: the page's only door to the main process. It runs sandboxed and
 * context-isolated, and exposes `window.paydesk`: one function per contract operation (the
 * IPC channel is the operation's name, its arguments the input and the call's idempotency
 * key; main validates everything), `subscribe` for the core's push events, `printToPdf` (the
 * desktop's "Save as PDF": main prints the page and saves the file where the operator says),
 * `exportCsv` (its "Export CSV": main streams the list into the file the operator chooses),
 * and it turns the app menu's Undo/Redo into a DOM `paydesk:menu` event. Nothing of
 * ipcRenderer itself (nor its event objects) reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CallOptions, PaydeskApi, PushEvent } from '../shared/contract';
import type { ExportCsvRequest, PaydeskBridge, PrintToPdfRequest } from './api';
import {
  EVENT_CHANNEL,
  EXPORT_CSV_CHANNEL,
  MENU_CHANNEL,
  OPERATION_CHANNEL_NAMES,
  PRINT_TO_PDF_CHANNEL,
  isMenuAction,
} from './channels';

// The preload runs in a page but is typechecked with the node config (no DOM lib): the two
// DOM names it uses, as far as it uses them.
declare const window: { dispatchEvent(event: object): boolean };
declare const CustomEvent: new (type: string, init: { detail: unknown }) => object;

// Built from the list of names, so the compiler cannot see that each entry fits its
// operation's signature; channels.ts guarantees the names are exactly the contract's.
// The call's idempotency key travels as a second argument, a string or undefined.
const operations = Object.fromEntries(
  OPERATION_CHANNEL_NAMES.map((name) => [
    name,
    (input: unknown, options?: CallOptions) =>
      ipcRenderer.invoke(name, input, options?.idempotencyKey),
  ]),
) as unknown as PaydeskApi;

const api: PaydeskBridge = {
  ...operations,
  subscribe(listener: (event: PushEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe expects a function');
    const relay = (_event: IpcRendererEvent, payload: PushEvent): void => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, relay);
    };
  },
  printToPdf(request: PrintToPdfRequest) {
    // Only the name crosses: main validates it and makes it safe.
    return ipcRenderer.invoke(PRINT_TO_PDF_CHANNEL, { fileName: request?.fileName });
  },
  exportCsv(request: ExportCsvRequest) {
    // Only these two cross: main validates the list's name and its filters.
    return ipcRenderer.invoke(EXPORT_CSV_CHANNEL, {
      kind: request?.kind,
      filters: request?.filters,
    });
  },
};

ipcRenderer.on(MENU_CHANNEL, (_event: IpcRendererEvent, action: unknown) => {
  if (isMenuAction(action)) window.dispatchEvent(new CustomEvent(MENU_CHANNEL, { detail: action }));
});

contextBridge.exposeInMainWorld('paydesk', api);
