import { afterEach, describe, expect, it, vi } from 'vitest';
import { intent, newKey } from '../../src/renderer/src/lib/intent';
import { fail, ok, type Result } from '../../src/shared/result';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('intent', () => {
  it('keeps the key and the request after an unknown outcome, for the same request only', () => {
    const undos = intent<{ toId?: string; limit: number }>((a, b) => a.toId === b.toId);
    const first = undos.start({ limit: 100 });
    first.settle(fail('unavailable', 'lost'));
    // The retry sends what the first try sent (limit 100), with its key.
    const retry = undos.start({ limit: 200 });
    expect(retry.request).toEqual({ limit: 100 });
    expect(retry.options.idempotencyKey).toBe(first.options.idempotencyKey);
    retry.settle(fail('in_progress', 'running'));
    const other = undos.start({ toId: 'h_1', limit: 100 });
    expect(other.options.idempotencyKey).not.toBe(first.options.idempotencyKey);
    // The other request ended the pending intent.
    expect(undos.start({ limit: 100 }).options.idempotencyKey).not.toBe(
      first.options.idempotencyKey,
    );
  });

  it('ends the intent on a definitive answer or a drop', () => {
    const runs = intent<string>();
    const keyAfter = (answer: Result<number>): string => {
      const attempt = runs.start('run');
      attempt.settle(answer);
      return attempt.options.idempotencyKey;
    };
    const done = keyAfter(ok(1));
    const refused = keyAfter(fail('conflict', 'no'));
    const lost = keyAfter(fail('unavailable', 'lost'));
    expect(new Set([done, refused, lost]).size).toBe(3);
    runs.drop();
    expect(runs.start('run').options.idempotencyKey).not.toBe(lost);
  });

  it('words in_progress for the operator', () => {
    const attempt = intent<string>().start('x');
    const answer = attempt.settle(fail('in_progress', 'key k is running'));
    expect(answer).toMatchObject({ ok: false, error: { code: 'in_progress' } });
    if (!answer.ok) expect(answer.error.message).toMatch(/^Still working on the previous request/);
  });
});

describe('newKey', () => {
  it('is a random UUID, also where crypto.randomUUID is missing (plain HTTP)', () => {
    expect(newKey()).toMatch(UUID_V4);
    vi.stubGlobal('crypto', { getRandomValues: crypto.getRandomValues.bind(crypto) });
    const keys = new Set(Array.from({ length: 50 }, newKey));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(UUID_V4);
  });
});
