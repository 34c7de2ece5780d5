/** The recurring-charge scheduler: running or stopped, timing, progress, and its controls. */
import { runCountsText } from '../../../../shared/wording';
import { dateTime, seconds } from '../../lib/format';
import {
  runRecurringNow,
  startScheduler,
  stopScheduler,
  useScheduler,
} from '../../store/scheduler';

export function SchedulerPanel() {
  const status = useScheduler((s) => s.status);
  const progress = useScheduler((s) => s.progress);
  const busy = useScheduler((s) => s.busy);
  if (!status) return null;
  const inFlight = progress && progress.done < progress.total ? progress : null;
  return (
    <section className="panel" aria-labelledby="scheduler-title">
      <div className="panel-head">
        <h2 id="scheduler-title">Recurring charges</h2>
        <span className={`badge ${status.running ? 'badge-completed' : 'badge-paused'}`}>
          {status.running ? 'Running' : 'Stopped'}
        </span>
      </div>
      <dl className="facts">
        <dt>Interval</dt>
        <dd>Every {seconds(status.intervalSeconds)}</dd>
        <dt>Last run</dt>
        <dd>
          {dateTime(status.lastRunAt)}
          {status.lastRun && ` — ${runCountsText(status.lastRun)}`}
        </dd>
        <dt>Next run</dt>
        <dd>{status.running ? dateTime(status.nextRunAt) : 'Not scheduled (stopped)'}</dd>
      </dl>
      <div className="progress-block" aria-live="polite">
        {inFlight ? (
          <>
            <label htmlFor="recurring-progress">
              Charging {inFlight.done} of {inFlight.total}
            </label>
            <progress id="recurring-progress" max={inFlight.total} value={inFlight.done} />
          </>
        ) : (
          <p className="muted">No run in progress.</p>
        )}
      </div>
      <div className="actions">
        <button
          type="button"
          className="button-primary"
          disabled={busy !== null || inFlight !== null}
          aria-busy={busy === 'run'}
          onClick={() => void runRecurringNow()}
        >
          Run recurring now
        </button>
        {status.running ? (
          <button type="button" disabled={busy !== null} onClick={() => void stopScheduler()}>
            Stop
          </button>
        ) : (
          <button type="button" disabled={busy !== null} onClick={() => void startScheduler()}>
            Start
          </button>
        )}
      </div>
    </section>
  );
}
