/**
 * Clocks: the system clock, or a test clock that only moves when told to (demos, tests,
 * `--clock test`). The test clock's time is persisted with the data so a restart keeps it.
 */
import type { Clock } from './ports';

export class SystemClock implements Clock {
  readonly mode = 'system' as const;
  now(): Date {
    return new Date();
  }
}

export class TestClock implements Clock {
  readonly mode = 'test' as const;
  private current: number;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Move to `to`; a test clock never goes backwards. */
  set(to: Date): void {
    if (to.getTime() < this.current) {
      throw new RangeError('The test clock only moves forward');
    }
    this.current = to.getTime();
  }
}
