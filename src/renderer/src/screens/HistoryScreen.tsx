/** History: the undo and redo stacks side by side. Ctrl/Cmd+Z and Ctrl/Cmd+Shift+Z work anywhere. */
import { useEffect } from 'react';
import { HistoryPanel } from '../components/history/HistoryPanel';
import { ErrorState, Loading } from '../components/States';
import { loadHistory, useHistory } from '../store/history';

export function HistoryScreen() {
  const { view, loading, error } = useHistory();
  useEffect(() => void loadHistory(), []);
  return (
    <>
      <h1 tabIndex={-1}>History</h1>
      <p className="muted">
        Click an entry to undo or redo everything down to it. Ctrl+Z undoes the last command,
        Ctrl+Shift+Z redoes.
      </p>
      {error && <ErrorState message={error} onRetry={() => void loadHistory()} />}
      {loading && !view && <Loading>Loading the history…</Loading>}
      {view && (
        <div className="columns">
          <HistoryPanel direction="undo" entries={view.undo} total={view.undoTotal} />
          <HistoryPanel direction="redo" entries={view.redo} total={view.redoTotal} />
        </div>
      )}
    </>
  );
}
