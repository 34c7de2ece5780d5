/** The test clock (only when the core runs on one): its time and buttons to move it forward. */
import { dateTimeSeconds } from '../../lib/format';
import { advanceClock, useScheduler, type Advance } from '../../store/scheduler';

const STEPS: Array<{ step: Advance; label: string }> = [
  { step: 'hour', label: 'Advance 1 hour' },
  { step: 'day', label: 'Advance 1 day' },
  { step: 'month', label: 'Advance 1 month' },
];

export function TestClockPanel() {
  const clock = useScheduler((s) => s.clock);
  const busy = useScheduler((s) => s.busy);
  if (!clock || clock.mode !== 'test') return null;
  return (
    <section className="panel" aria-labelledby="clock-title">
      <h2 id="clock-title">Test clock</h2>
      <p className="clock-now">
        <time dateTime={clock.now}>{dateTimeSeconds(clock.now)}</time>
        <span className="muted mono"> ({clock.now})</span>
      </p>
      <div className="actions">
        {STEPS.map(({ step, label }) => (
          <button
            key={step}
            type="button"
            disabled={busy !== null}
            onClick={() => void advanceClock(step)}
          >
            {label}
          </button>
        ))}
      </div>
    </section>
  );
}
