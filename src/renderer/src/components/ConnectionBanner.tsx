/**
 * How the browser UI stands with its server, under the top bar: a banner while the server
 * cannot be reached (the transport keeps trying; it goes when the server answers), and when
 * the server refuses the page for want of a token (or a wrong one), a field to paste the
 * token the server printed. In the desktop app, a banner while the shell restarts the core's
 * process (it goes when the core is back).
 */
import { useEffect, useId, useState } from 'react';
import { currentTransport } from '../store/connection';
import type { ConnectionState } from '../transport';

function TokenForm({ refused }: { refused: boolean }) {
  const [token, setToken] = useState('');
  const fieldId = useId();
  const hintId = useId();
  return (
    <form
      className="connection-banner"
      aria-labelledby={`${fieldId}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        const pasted = token.trim();
        if (pasted) currentTransport().connection?.setToken(pasted);
      }}
    >
      <p id={`${fieldId}-title`} className="connection-title">
        {refused
          ? 'The server refused the access token this page sent.'
          : 'This page has no access token for the server.'}
      </p>
      <p id={hintId} className="connection-hint">
        Paste the token that <code>npm run serve</code> printed (or stored in its token file), or
        open the link it printed.
      </p>
      <div className="connection-row">
        <label htmlFor={fieldId}>Access token</label>
        <input
          id={fieldId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={hintId}
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        <button type="submit" className="button-primary" disabled={token.trim() === ''}>
          Use this token
        </button>
      </div>
    </form>
  );
}

export function ConnectionBanner() {
  const connection = currentTransport().connection;
  const [state, setState] = useState<ConnectionState>(() => connection?.state() ?? 'connected');
  useEffect(() => {
    if (!connection) return;
    setState(connection.state());
    return connection.watch(setState);
  }, [connection]);
  if (state === 'connected') return null;
  if (state === 'reconnecting') {
    return (
      <div className="connection-banner" role="alert">
        <p className="connection-title">Reconnecting to Paydesk's core…</p>
        <p className="connection-hint">
          Its process stopped and is being restarted; everything it confirmed is kept. Until it is
          back nothing you do reaches it: try again then, nothing will be done twice.
        </p>
      </div>
    );
  }
  if (state === 'unreachable') {
    return (
      <div className="connection-banner" role="alert">
        <p className="connection-title">Cannot reach the Paydesk server.</p>
        <p className="connection-hint">
          Paydesk keeps trying and shows the latest figures once it answers; until then nothing you
          do here reaches it.
        </p>
      </div>
    );
  }
  return <TokenForm refused={state === 'token-refused'} />;
}
