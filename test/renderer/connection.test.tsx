// @vitest-environment happy-dom
/**
 * The browser UI and its server: a banner while the server cannot be reached (gone when it
 * answers again), and without an access token a field to paste one, instead of a message
 * that a token was refused when none was sent.
 */
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/renderer/src/App';
import { createHttpTransport } from '../../src/renderer/src/http-transport';
import { setTransport } from '../../src/renderer/src/store/connection';
import { resetStores } from '../../src/renderer/src/store/reset';
import { EMPTY_DASHBOARD } from './fake-transport';

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
});

const answer = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** A server that answers every operation (an empty dashboard), with no events. */
function server(expectedToken: string | null, state: { down: boolean }) {
  return vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    if (state.down) throw new TypeError('Failed to fetch');
    const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
    if (expectedToken !== null && auth !== `Bearer ${expectedToken}`) {
      return answer({ ok: false, error: { code: 'forbidden', message: 'no' } }, 401);
    }
    if (String(url).endsWith('/rpc/events')) {
      // An open stream that sends nothing.
      return new Response(new ReadableStream<Uint8Array>(), { status: 200 });
    }
    if (String(url).endsWith('/rpc/dashboard.get'))
      return answer({ ok: true, data: EMPTY_DASHBOARD });
    return answer({ ok: true, data: {} });
  });
}

function renderOver(fetch: ReturnType<typeof server>, token: string | null) {
  resetStores();
  setTransport(
    createHttpTransport({ token, fetch, baseUrl: '', backoff: { initialMs: 5, maxMs: 20 } }),
  );
  return render(<App />);
}

describe('the connection to the server', () => {
  it('shows a banner while the server cannot be reached, and drops it when it answers', async () => {
    const state = { down: true };
    renderOver(server('t', state), 't');
    const banner = await screen.findByText('Cannot reach the Paydesk server.');
    expect(banner.closest('[role="alert"]')).not.toBeNull();
    state.down = false;
    await waitFor(() => expect(screen.queryByText('Cannot reach the Paydesk server.')).toBeNull());
  });

  it('without a token, asks for one (no "refused"), and uses the one pasted', async () => {
    const user = userEvent.setup();
    const fetch = server('s3cret', { down: false });
    renderOver(fetch, null);
    const field = await screen.findByLabelText('Access token');
    expect(document.body.textContent).not.toMatch(/refused/);
    await user.type(field, 's3cret');
    await user.click(screen.getByRole('button', { name: 'Use this token' }));
    await waitFor(() => expect(screen.queryByLabelText('Access token')).toBeNull());
    await waitFor(() =>
      expect(
        fetch.mock.calls.some(
          ([, init]) =>
            (init?.headers as Record<string, string> | undefined)?.Authorization ===
            'Bearer s3cret',
        ),
      ).toBe(true),
    );
    expect(window.sessionStorage.getItem('paydesk.token')).toBe('s3cret');
  });

  it('with a wrong token, says it was refused and offers the field too', async () => {
    renderOver(server('right', { down: false }), 'wrong');
    expect(await screen.findByLabelText('Access token')).toBeTruthy();
    expect(screen.getByText('The server refused the access token this page sent.')).toBeTruthy();
  });
});
