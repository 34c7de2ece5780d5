/**
 * One wording on both sides: a run's counts ("attempted, succeeded, failed") in the core's
 * history labels and the renderer's texts, and an interval ("every 3 months") in the core's
 * labels and the renderer's lists.
 */
import { describe, expect, it } from 'vitest';
import { runExecution } from '../../src/main/core/commands/run-recurring';
import {
  createSubscriptionCommand,
  pauseSubscription,
} from '../../src/main/core/commands/subscription-commands';
import type { Store } from '../../src/main/core/ports';
import { intervalWords, runCountsText } from '../../src/shared/wording';
import { payment, subscription } from './store-fixtures';

const failed = (i: number) =>
  payment(`pay_${i}`, {
    status: 'FAILED',
    transactionId: null,
    failureCode: 'card_declined',
    failureMessage: 'Declined',
  });

describe('run counts', () => {
  it('say attempted, succeeded and failed, the same in the label, the outcome and the UI', () => {
    const run = runExecution([payment('pay_1'), payment('pay_2'), failed(3), failed(4)], false);
    expect(run.result).toMatchObject({ charged: 4, succeeded: 2, failed: 2 });
    const counts = runCountsText(run.result);
    expect(counts).toBe('4 attempted, 2 succeeded, 2 failed');
    expect(run.summary).toBe(counts);
    expect(run.label).toBe('Recurring run: 4 charges attempted');
    expect(run.label).not.toMatch(/\b2 charges\b/);
  });

  it('say when nothing was due', () => {
    expect(runCountsText({ charged: 0, succeeded: 0, failed: 0 })).toBe('nothing was due');
    expect(runExecution([], false).label).toBe('Recurring run: nothing was due');
  });
});

describe('interval words', () => {
  it.each([
    ['MONTHLY', 1, 'monthly'],
    ['MONTHLY', 3, 'every 3 months'],
    ['WEEKLY', 2, 'every 2 weeks'],
    ['DAILY', 1, 'daily'],
    ['YEARLY', 3, 'every 3 years'],
  ] as const)('%s × %i reads "%s"', (interval, count, words) => {
    expect(intervalWords(interval, count)).toBe(words);
  });

  it('are the words of the history labels', () => {
    const sub = subscription('sub_1', {
      amount: 4500,
      currency: 'USD',
      interval: 'MONTHLY',
      intervalCount: 3,
    });
    const store = { getSubscription: () => sub } as unknown as Store; // only what label reads
    expect(pauseSubscription.label({ subscriptionId: sub.id }, store)).toBe(
      'Pause the subscription of ada@example.com, $45.00 every 3 months',
    );
    expect(
      createSubscriptionCommand.label(
        {
          customerEmail: 'ann@example.com',
          amount: 4500,
          currency: 'USD',
          interval: 'MONTHLY',
          intervalCount: 3,
          start: null,
        },
        store,
      ),
    ).toBe('Subscribe ann@example.com to $45.00 every 3 months');
  });
});
