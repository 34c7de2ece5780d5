/** Record ids: their shape, and that one process's ids sort in the order they were made. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/main/core/ids';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('newId', () => {
  it('is a prefix, a base-36 time and 10 hex digits', () => {
    expect(newId('pay')).toMatch(/^pay_[0-9a-z]{8}[0-9a-f]{10}$/);
    expect(newId('aud')).toMatch(/^aud_/);
  });

  it('sorts in creation order within one millisecond', () => {
    vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 10, 28));
    const ids = Array.from({ length: 2000 }, () => newId('pay'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps sorting when the system clock steps back', () => {
    const now = vi.spyOn(Date, 'now');
    now.mockReturnValue(Date.UTC(2026, 10, 28, 12));
    const before = newId('pay');
    now.mockReturnValue(Date.UTC(2026, 10, 28, 11)); // an hour back (NTP, a manual change)
    const after = newId('pay');
    expect(after > before).toBe(true);
    now.mockReturnValue(Date.UTC(2026, 10, 28, 13));
    expect(newId('pay') > after).toBe(true);
  });
});
