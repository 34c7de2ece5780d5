/**
 * The shape of `window.paydesk`, the object the preload exposes to the renderer: one function
 * per contract operation (a Result, never a thrown error) and `subscribe` for push events.
 * The renderer declares the global itself (optional there, since a plain browser has no
 * preload); its declaration must stay this type, and may import it from here.
 */
import type { PaydeskApi, PushEvent } from '../shared/contract';

export type PaydeskBridge = PaydeskApi & {
  /** Receive the core's push events (only the payload); returns the function that stops them. */
  subscribe(listener: (event: PushEvent) => void): () => void;
};
