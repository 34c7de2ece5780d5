/**
 * One history stack (undo or redo), newest first. Clicking an entry undoes (or redoes)
 * everything down to it. A barrier (an irreversible entry) is marked "Cannot be undone",
 * and nothing at or below it can be clicked. The newest entries are shown (a year of use
 * stacks tens of thousands); "Show older" loads more.
 */
import type { HistoryItem } from '../../../../shared/contract';
import { dateTime, originText } from '../../lib/format';
import { firstBarrier } from '../../lib/history-plan';
import { HISTORY_PAGE, showOlderHistory, travelTo } from '../../store/history';
import { Empty } from '../States';

type Entry = HistoryItem;

function EntryBody({ entry }: { entry: Entry }) {
  return (
    <>
      <span className="entry-label">{entry.label}</span>
      <span className="entry-meta">
        <time dateTime={entry.createdAt}>{dateTime(entry.createdAt)}</time>
        <span className={`origin origin-${entry.origin}`}>{originText(entry.origin)}</span>
        {entry.operator && <span className="entry-operator">{entry.operator.name}</span>}
        {entry.outcome && <span className="entry-outcome">{entry.outcome}</span>}
        {entry.movesMoney && <span className="entry-money">moves money</span>}
      </span>
    </>
  );
}

export function HistoryPanel({
  direction,
  entries,
  total,
}: {
  direction: 'undo' | 'redo';
  /** The newest entries, newest first. */
  entries: Entry[];
  /** Entries on the stack, shown or not. */
  total: number;
}) {
  const older = total - entries.length;
  const title = direction === 'undo' ? 'Undo history' : 'Redo history';
  const headingId = `${direction}-history-title`;
  const barrier = firstBarrier(entries);
  return (
    <section className="panel history-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {entries.length === 0 ? (
        <Empty>{direction === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.'}</Empty>
      ) : (
        <ol className="history-list">
          {entries.map((entry, i) => {
            const blocked = barrier !== -1 && i >= barrier;
            if (entry.barrier) {
              return (
                <li key={entry.id} className="history-entry is-barrier">
                  <EntryBody entry={entry} />
                  <span className="barrier-mark">Cannot be undone</span>
                </li>
              );
            }
            if (blocked) {
              return (
                <li key={entry.id} className="history-entry is-blocked">
                  <EntryBody entry={entry} />
                  <span className="visually-hidden">
                    Out of reach: an entry above cannot be undone.
                  </span>
                </li>
              );
            }
            return (
              <li key={entry.id} className="history-entry">
                <button
                  type="button"
                  className="history-button"
                  title={
                    i === 0
                      ? `${direction === 'undo' ? 'Undo' : 'Redo'} this command`
                      : `${direction === 'undo' ? 'Undo' : 'Redo'} the ${i + 1} newest commands, down to this one`
                  }
                  onClick={() => void travelTo(direction, entry.id)}
                >
                  <EntryBody entry={entry} />
                </button>
              </li>
            );
          })}
        </ol>
      )}
      {older > 0 && (
        <p className="history-more">
          <span className="muted">
            {older.toLocaleString()} older {older === 1 ? 'entry' : 'entries'} not shown.
          </span>{' '}
          <button type="button" className="link-button" onClick={() => void showOlderHistory()}>
            Show {Math.min(older, HISTORY_PAGE)} older
          </button>
        </p>
      )}
    </section>
  );
}
