/**
 * What the shell does with the core's push events: every event goes to the renderer (which
 * refetches; it never polls), a history change rebuilds the menu's Undo/Redo labels, and an
 * error notice (a scheduled charge failed) becomes a desktop notification.
 */
import type { PushEvent } from '../../shared/contract';

export interface PushEventSinks {
  toRenderer: (event: PushEvent) => void;
  refreshMenu: () => void;
  notify: (message: string) => void;
}

export function routePushEvent(event: PushEvent, sinks: PushEventSinks): void {
  sinks.toRenderer(event);
  if (event.type === 'changed' && event.topics.includes('history')) sinks.refreshMenu();
  if (event.type === 'notice' && event.level === 'error') sinks.notify(event.message);
}
