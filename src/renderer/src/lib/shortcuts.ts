/**
 * The app's keyboard shortcuts, declared once (APP_SHORTCUTS, SHORTCUTS: what the
 * "Keyboard shortcuts" dialog lists), and the handlers of the ones it acts on.
 *
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

/** A shortcut: its keys as people write them (each alternative apart) and what it does. */
export interface Shortcut {
  keys: readonly string[];
  action: string;
  /** Whether a key press is this shortcut (for the ones the app handles itself). */
  test?: (e: KeyboardEvent) => boolean;
}

const key = (e: KeyboardEvent): string => e.key.toLowerCase();

/**
 * The shortcuts the app's own key handlers act on, declared once: the handlers test key
 * presses with `test`, and the "Keyboard shortcuts" dialog lists `keys` and `action`.
 */
export const APP_SHORTCUTS = {
  undo: {
    keys: ['Ctrl+Z', '⌘Z'],
    action: 'Undo the last command (in a text field: undo typing)',
    test: (e) => !e.altKey && (e.ctrlKey || e.metaKey) && !e.shiftKey && key(e) === 'z',
  },
  redo: {
    keys: ['Ctrl+Shift+Z', 'Ctrl+Y', '⇧⌘Z'],
    action: 'Redo the last undone command',
    test: (e) =>
      !e.altKey &&
      (((e.ctrlKey || e.metaKey) && e.shiftKey && key(e) === 'z') ||
        (e.ctrlKey && !e.metaKey && !e.shiftKey && key(e) === 'y')),
  },
  search: {
    keys: ['Ctrl+K', '⌘K'],
    action: 'Search',
    test: (e) => !e.altKey && !e.shiftKey && (e.ctrlKey || e.metaKey) && key(e) === 'k',
  },
  help: {
    keys: ['?'],
    action: 'Show the keyboard shortcuts (outside text fields)',
    test: (e) => e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey,
  },
} as const satisfies Record<string, Required<Shortcut>>;

/** Every shortcut, in the order the "Keyboard shortcuts" dialog lists them. */
export const SHORTCUTS: readonly Shortcut[] = [
  APP_SHORTCUTS.undo,
  APP_SHORTCUTS.redo,
  APP_SHORTCUTS.search,
  APP_SHORTCUTS.help,
  { keys: ['Tab', 'Shift+Tab'], action: 'Move to the next or previous control' },
  { keys: ['Enter', 'Space'], action: 'Activate the focused button or link' },
  { keys: ['Escape'], action: 'Close a dialog' },
  {
    keys: ['↑', '↓', 'Page Up', 'Page Down', 'Home', 'End'],
    action: 'Move the selection in the payments table (Enter opens the payment)',
  },
];

export function shortcutAction(e: KeyboardEvent): HistoryAction | null {
  if (APP_SHORTCUTS.undo.test(e)) return 'undo';
  if (APP_SHORTCUTS.redo.test(e)) return 'redo';
  return null;
}

export interface ShortcutOptions {
  run(action: HistoryAction): void;
  /** When true (a dialog is open, say) the shortcuts do nothing. */
  blocked?: () => boolean;
}

/**
 * `?` outside a text field opens the "Keyboard shortcuts" dialog (in a field it is typed).
 */
export function installHelpShortcut(
  win: Window,
  options: { open(): void; blocked?: () => boolean },
): () => void {
  const onKeyDown = (e: KeyboardEvent): void => {
    if (!APP_SHORTCUTS.help.test(e) || e.defaultPrevented || isTextField(e.target)) return;
    if (options.blocked?.()) return;
    e.preventDefault();
    options.open();
  };
  win.addEventListener('keydown', onKeyDown);
  return () => win.removeEventListener('keydown', onKeyDown);
}

/**
 * Ctrl/Cmd+K opens the Search dialog from anywhere, text fields included: no field gives
 * the keys a meaning of its own.
 */
export function installSearchShortcut(
  win: Window,
  options: { open(): void; blocked?: () => boolean },
): () => void {
  const onKeyDown = (e: KeyboardEvent): void => {
    if (!APP_SHORTCUTS.search.test(e) || e.defaultPrevented) return;
    e.preventDefault();
    if (e.repeat || options.blocked?.()) return;
    options.open();
  };
  win.addEventListener('keydown', onKeyDown);
  return () => win.removeEventListener('keydown', onKeyDown);
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
