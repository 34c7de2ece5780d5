// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getTransport } from '../../src/renderer/src/transport';
import { createFakeTransport } from './fake-transport';

afterEach(() => {
  delete window.paydesk;
});

describe('getTransport', () => {
  it('uses the Electron bridge when the preload exposed one, keys included, and never rejects', async () => {
    const fake = createFakeTransport();
    fake.api['history.get'].mockRejectedValueOnce(new Error('Error invoking remote method'));
    const subscribe = vi.fn(() => () => undefined);
    window.paydesk = { ...fake.api, subscribe, printToPdf: vi.fn(), exportCsv: vi.fn() };
    const transport = getTransport();
    expect(await transport.api['history.get']({})).toEqual({
      ok: false,
      error: {
        code: 'unavailable',
        message: 'The core did not answer (Error invoking remote method)',
      },
    });
    expect((await transport.api['history.get']({})).ok).toBe(true);
    await transport.api['scheduler.run']({}, { idempotencyKey: 'intent-1' });
    expect(fake.api['scheduler.run']).toHaveBeenCalledWith({}, { idempotencyKey: 'intent-1' });
    const listener = vi.fn();
    transport.subscribe(listener);
    expect(subscribe).toHaveBeenCalledWith(listener);
  });

  it('falls back to HTTP in a plain browser', async () => {
    const fetch = vi.fn(
      async () => new Response(JSON.stringify({ ok: true, data: 1 }), { status: 200 }),
    );
    vi.stubGlobal('fetch', fetch);
    try {
      const transport = getTransport();
      await transport.api['clock.get']({});
      expect(fetch).toHaveBeenCalledWith(
        '/rpc/clock.get',
        expect.objectContaining({ method: 'POST' }),
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
