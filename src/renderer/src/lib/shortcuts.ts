/**
 * Keyboard and menu undo/redo. Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z and Ctrl+Y redo, except
 * in a text field (input, textarea, select, contenteditable), where the keys belong to the
 * field. The native menu's Undo/Redo arrive as a `paydesk:menu` event and follow the same
 * rule, using the focused element: in a text field the browser's own text undo runs.
 */
export type HistoryAction = 'undo' | 'redo';

export function isTextField(target: EventTarget | null): boolean {
  if (!target || !(target instanceof Element)) return false;
  if (target.closest('input, textarea, select')) return true;
  if (target instanceof HTMLElement && target.isContentEditable) return true;
  const editable = target.closest('[contenteditable]');
  return editable !== null && editable.getAttribute('contenteditable') !== 'false';
}

export function shortcutAction(e: KeyboardEvent): HistoryAction | null {
  if (e.altKey) return null;
  const key = e.key.toLowerCase();
  if ((e.ctrlKey || e.metaKey) && key === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (e.ctrlKey && !e.metaKey && !e.shiftKey && key === 'y') return 'redo';
  return null;
}

export interface ShortcutOptions {
  run(action: HistoryAction): void;
  /** When true (a dialog is open, say) the shortcuts do nothing. */
  blocked?: () => boolean;
}

export function installUndoShortcuts(win: Window, options: ShortcutOptions): () => void {
  const onKeyDown = (e: KeyboardEvent): void => {
    const action = shortcutAction(e);
    if (!action || e.defaultPrevented || isTextField(e.target)) return;
    e.preventDefault();
    if (e.repeat || options.blocked?.()) return;
    options.run(action);
  };
  const onMenu = (e: CustomEvent<HistoryAction>): void => {
    const action = e.detail;
    if (action !== 'undo' && action !== 'redo') return;
    const doc = win.document;
    if (isTextField(doc.activeElement)) {
      // Deprecated but still the only way to trigger the field's own undo stack.
      if (typeof doc.execCommand === 'function') doc.execCommand(action);
      return;
    }
    if (options.blocked?.()) return;
    options.run(action);
  };
  win.addEventListener('keydown', onKeyDown);
  win.addEventListener('paydesk:menu', onMenu);
  return () => {
    win.removeEventListener('keydown', onKeyDown);
    win.removeEventListener('paydesk:menu', onMenu);
  };
}
