/**
 * The recurring scheduler: an interval timer in the main process that asks the invoker for a
 * RunRecurring command (origin "scheduler"). It never runs two of its own at once, and the
 * invoker queue serializes it with everything else. `catchUp` runs at once (start-up, power
 * resume, test clock advanced). Starting, stopping or setting the same interval is not a
 * run: the operator's Stop and Start leave "Last run" as it was, and so does a tick that
 * found nothing due (it is neither audited nor in the history).
 */
import type { RecurringRunSummaryBrief, SchedulerStatus } from '../../shared/contract';
import type { Clock } from './ports';

export interface SchedulerDeps {
  clock: Clock;
  /** Charge what is due; resolves with the run's summary, or null when nothing was due. */
  run: () => Promise<RecurringRunSummaryBrief | null>;
  onChange: () => void;
  /** A run failed as a whole (not a declined charge: an error). */
  onError: (error: unknown) => void;
}

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private lastRunAt: string | null = null;
  private lastRun: RecurringRunSummaryBrief | null = null;
  private progress: { done: number; total: number } | null = null;
  private nextRunAt: number | null = null;

  constructor(
    private readonly deps: SchedulerDeps,
    private intervalSeconds: number,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** Starts the timer; its first run is one interval later (`catchUp` runs at once). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.intervalSeconds * 1000);
    this.timer.unref?.();
    this.nextRunAt = Date.now() + this.intervalSeconds * 1000;
    this.deps.onChange();
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.nextRunAt = null;
    this.deps.onChange();
  }

  setInterval(seconds: number): void {
    if (seconds === this.intervalSeconds) return;
    this.intervalSeconds = seconds;
    if (this.timer) {
      this.stop();
      this.start();
    }
  }

  /** Run now if the timer is on (power resume, clock jump). */
  catchUp(): void {
    if (this.timer) this.tick();
  }

  reportProgress(done: number, total: number): void {
    this.progress = { done, total };
  }

  /** Record a run that someone else asked for (operator, API), for the status view. */
  noteRun(summary: RecurringRunSummaryBrief): void {
    this.lastRun = summary;
    this.lastRunAt = this.deps.clock.now().toISOString();
    this.deps.onChange();
  }

  status(): SchedulerStatus {
    return {
      running: this.running,
      intervalSeconds: this.intervalSeconds,
      lastRunAt: this.lastRunAt,
      // The timer runs on real time; told in the clock's time, which is the test clock's in demos.
      nextRunAt:
        this.nextRunAt === null
          ? null
          : new Date(
              this.deps.clock.now().getTime() + Math.max(0, this.nextRunAt - Date.now()),
            ).toISOString(),
      inFlight: this.inFlight ? (this.progress ?? { done: 0, total: 0 }) : null,
      lastRun: this.lastRun,
    };
  }

  /** Wait for the run in flight, if any. */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  private tick(): void {
    void this.tickAndWait();
  }

  private tickAndWait(): Promise<void> {
    if (this.timer) this.nextRunAt = Date.now() + this.intervalSeconds * 1000;
    if (this.inFlight) return this.inFlight;
    this.progress = null;
    this.inFlight = (async () => {
      this.deps.onChange();
      try {
        const run = await this.deps.run();
        if (run !== null) {
          this.lastRun = run;
          this.lastRunAt = this.deps.clock.now().toISOString();
        }
      } catch (error) {
        this.deps.onError(error);
      } finally {
        this.inFlight = null;
        this.progress = null;
        this.deps.onChange();
      }
    })();
    return this.inFlight;
  }
}
