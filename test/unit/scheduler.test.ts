/** The scheduler's timer: never two runs of its own at once, catch-up, status in the clock's time. */
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/main/core/clock';
import { Scheduler } from '../../src/main/core/scheduler';

const brief = { charged: 1, succeeded: 1, failed: 0 };
let scheduler: Scheduler | null = null;
afterEach(() => scheduler?.stop());

function setup() {
  const clock = new TestClock(new Date('2030-06-01T00:00:00Z'));
  let release: () => void = () => undefined;
  const calls = { runs: 0, changes: 0 };
  scheduler = new Scheduler(
    {
      clock,
      run: () => {
        calls.runs += 1;
        return new Promise((resolve) => {
          release = () => resolve(brief);
        });
      },
      onChange: () => {
        calls.changes += 1;
      },
      onError: () => undefined,
    },
    60,
  );
  return { scheduler, clock, calls, release: () => release() };
}

describe('Scheduler', () => {
  it('catches up at once, and does not start a second run while one is in flight', async () => {
    const { scheduler, calls, release } = setup();
    scheduler.start();
    scheduler.catchUp();
    expect(calls.runs).toBe(1);
    scheduler.catchUp();
    scheduler.catchUp();
    expect(calls.runs).toBe(1);
    expect(scheduler.status().inFlight).not.toBeNull();
    release();
    await scheduler.settle();
    expect(scheduler.status()).toMatchObject({ running: true, inFlight: null, lastRun: brief });
    scheduler.catchUp();
    expect(calls.runs).toBe(2);
    release();
    await scheduler.settle();
  });

  it('tells the next run in the clock’s time, and nothing once stopped', async () => {
    const { scheduler, clock, release } = setup();
    scheduler.start();
    scheduler.catchUp();
    release();
    await scheduler.settle();
    const next = Date.parse(scheduler.status().nextRunAt!);
    expect(next).toBeGreaterThan(clock.now().getTime());
    expect(next).toBeLessThanOrEqual(clock.now().getTime() + 60_000);
    expect(scheduler.status().lastRunAt).toBe('2030-06-01T00:00:00.000Z');
    scheduler.stop();
    expect(scheduler.status()).toMatchObject({ running: false, nextRunAt: null });
    scheduler.catchUp();
    expect(scheduler.status().inFlight).toBeNull();
  });
});

describe('Scheduler: Stop and Start are not runs', () => {
  it('does not run when started: the first run is one interval later', () => {
    const { scheduler, calls } = setup();
    scheduler.start();
    expect(calls.runs).toBe(0);
    expect(scheduler.status().inFlight).toBeNull();
  });

  it('keeps the last run through a Stop and a Start, and through an unchanged interval', async () => {
    const { scheduler, calls, release } = setup();
    scheduler.start();
    scheduler.catchUp();
    release();
    await scheduler.settle();
    expect(scheduler.status().lastRun).toEqual(brief);
    scheduler.setInterval(60);
    scheduler.stop();
    scheduler.start();
    expect(calls.runs).toBe(1);
    expect(scheduler.status().lastRun).toEqual(brief);
  });

  it('does not count a timer tick that found nothing due as the last run', async () => {
    const clock = new TestClock(new Date('2030-06-01T00:00:00Z'));
    let answer: typeof brief | null = brief;
    scheduler = new Scheduler(
      {
        clock,
        run: () => Promise.resolve(answer),
        onChange: () => undefined,
        onError: () => undefined,
      },
      60,
    );
    scheduler.start();
    scheduler.catchUp();
    await scheduler.settle();
    answer = null;
    clock.set(new Date('2030-06-01T00:01:00Z'));
    scheduler.catchUp();
    await scheduler.settle();
    expect(scheduler.status()).toMatchObject({
      lastRun: brief,
      lastRunAt: '2030-06-01T00:00:00.000Z',
    });
  });
});
