/**
 * The commands the Search dialog offers beside what the core finds: each screen, Run
 * recurring now, Undo and Redo (named after what they would do), Export payments as CSV
 * (the table's filters), the keyboard shortcuts. They run in the UI, through the same store
 * functions as their buttons and keys.
 */
import { SCREEN_NAMES, SCREENS, goTo, type Screen } from '../store/navigation';
import { paymentListFilters, usePayments } from '../store/payments';
import type { HistoryView } from '../../../shared/contract';
import { performRedo, performUndo } from '../store/history';
import { runRecurringNow } from '../store/scheduler';
import { openShortcutsHelp } from '../store/shortcuts-help';
import { showToast } from '../store/toasts';
import { exportCsv } from './export-csv';

export interface SearchCommand {
  id: string;
  label: string;
  /** Whether running it shows another screen (the focus then goes to its heading). */
  navigates: boolean;
  run(): void;
}

/** Shows `screen` and puts the focus on its heading, as the navigation does. */
export function showScreen(screen: Screen): void {
  goTo(screen);
  requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
}

async function exportPayments(): Promise<void> {
  const res = await exportCsv('payments', paymentListFilters(usePayments.getState().filters));
  if (!res.ok) showToast(`The export failed: ${res.error.message}`, { level: 'error' });
  else if (res.data.file !== null) {
    const { file, rows } = res.data;
    showToast(
      rows === null
        ? `Downloaded ${file}`
        : `Exported ${rows.toLocaleString()} payments to ${file}`,
    );
  }
}

/** Every command available now (Undo and Redo only when `view` has something to do). */
export function searchCommands(view: HistoryView | null): SearchCommand[] {
  const commands: SearchCommand[] = SCREENS.map((screen) => ({
    id: `screen-${screen}`,
    label: `Go to ${SCREEN_NAMES[screen]}`,
    navigates: true,
    run: () => showScreen(screen),
  }));
  commands.push({
    id: 'run-recurring',
    label: 'Run recurring now',
    navigates: false,
    run: () => void runRecurringNow(),
  });
  if (view?.nextUndo) {
    const label = `Undo ${view.nextUndo}`;
    commands.push({ id: 'undo', label, navigates: false, run: () => void performUndo() });
  }
  if (view?.nextRedo) {
    const label = `Redo ${view.nextRedo}`;
    commands.push({ id: 'redo', label, navigates: false, run: () => void performRedo() });
  }
  commands.push(
    {
      id: 'export-payments',
      label: 'Export payments as CSV',
      navigates: false,
      run: () => void exportPayments(),
    },
    {
      id: 'shortcuts',
      label: 'Show keyboard shortcuts',
      navigates: false,
      run: openShortcutsHelp,
    },
  );
  return commands;
}

/** The commands whose label holds every word of `text` (all of them for no text). */
export function matchingCommands(
  commands: readonly SearchCommand[],
  text: string,
): SearchCommand[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  return commands.filter((c) => words.every((w) => c.label.toLowerCase().includes(w)));
}
