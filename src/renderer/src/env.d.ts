/**
 * Globals the renderer relies on: the Electron preload's bridge (absent in a plain browser,
 * where the HTTP transport is used) and the native menu's Undo/Redo requests.
 */
/// <reference types="vite/client" />
import type { PaydeskBridge } from '../../preload/api';

declare global {
  interface Window {
    /** Exposed by the Electron preload: one method per operation, plus `subscribe`. */
    paydesk?: PaydeskBridge;
  }
  interface WindowEventMap {
    /** The preload forwards the native menu's Undo/Redo clicks as this event. */
    'paydesk:menu': CustomEvent<'undo' | 'redo'>;
  }
}

export {};
