/**
 * The transport every store talks through, set once at start-up (main.tsx) or by a test
 * before rendering. Stores call `api()`; the App subscribes to push events.
 */
import type { PaydeskApi } from '../../../shared/contract';
import type { Transport } from '../transport';

let current: Transport | null = null;

export function setTransport(transport: Transport): void {
  current = transport;
}

export function currentTransport(): Transport {
  if (!current) throw new Error('No transport: call setTransport() before rendering the App');
  return current;
}

export function api(): PaydeskApi {
  return currentTransport().api;
}
