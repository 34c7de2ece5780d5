/**
 * What a replay answers from a request's record: a settings change never answers the
 * operator accounts, even from a record kept before its answer left them out.
 */
import { describe, expect, it } from 'vitest';
import { replayedAnswer } from '../../src/main/core/answers';
import type { Store } from '../../src/main/core/ports';

// Neither is read for a settings change's answer.
const noStore = {} as Store;
const noView = () => null;

describe('replayedAnswer', () => {
  it('leaves the operator accounts out of a settings change kept with them', () => {
    const kept = {
      ok: true as const,
      data: {
        schedulerIntervalSeconds: 30,
        schedulerEnabled: true,
        operators: [{ id: 'opr_1', name: 'Ann', role: 'admin', tokenHash: 'ab12' }],
      },
    };
    expect(replayedAnswer('settings.set', kept, noStore, noView)).toEqual({
      ok: true,
      data: { schedulerIntervalSeconds: 30, schedulerEnabled: true },
    });
  });

  it('answers a settings change kept without them as it was kept', () => {
    const kept = {
      ok: true as const,
      data: { schedulerIntervalSeconds: 30, schedulerEnabled: true },
    };
    expect(replayedAnswer('settings.set', kept, noStore, noView)).toEqual(kept);
  });
});
