/**
 * The Settings screen's Operators panel: who this session is, and for an admin the operator
 * accounts (name, role, when added, active or revoked), "Add operator" (name and role; the
 * new token is shown once, to copy before dismissing it) and "Revoke" after a confirmation.
 * Whoever is not an admin sees only who they are.
 */
import type { OperatorSession, OperatorView } from '../../../../shared/contract';
import type { OperatorRole } from '../../../../shared/domain';
import { dateTime } from '../../lib/format';
import { checkOperator, OPERATOR_FIELDS } from '../../lib/settings-form';
import { useValidatedForm } from '../../lib/use-validated-form';
import {
  addOperator,
  dismissToken,
  loadOperators,
  revokeOperator,
  useOperators,
} from '../../store/operators';
import { Field } from '../Field';
import { ErrorState, Loading } from '../States';

const ROLE_TEXT: Record<OperatorRole, string> = {
  viewer: 'Viewer',
  operator: 'Operator',
  admin: 'Admin',
};

const ROLE_HINT: Record<OperatorRole, string> = {
  viewer: 'reads only',
  operator: 'moves money',
  admin: 'also manages operators and settings',
};

function WhoAmI({ session }: { session: OperatorSession }) {
  if (session.operator !== null) {
    return (
      <p className="muted settings-intro">
        You are <strong>{session.operator.name}</strong> ({ROLE_TEXT[session.role].toLowerCase()}:{' '}
        {ROLE_HINT[session.role]}).
        {session.role !== 'admin' && ' Only an admin manages operators.'}
      </p>
    );
  }
  return (
    <p className="muted settings-intro">
      {session.accounts
        ? 'This desk has every right. On the server, each person signs in with their own token.'
        : 'Until an admin account exists, the server’s API token is the one operator with every right. Once one exists, each person uses their own token and the API token is refused.'}
    </p>
  );
}

function OperatorList({ list }: { list: OperatorView[] }) {
  if (list.length === 0) return <p className="muted">No operator accounts yet.</p>;
  return (
    <div className="table-wrap" role="region" aria-labelledby="operator-list-caption" tabIndex={0}>
      <table className="table table-compact">
        <caption id="operator-list-caption" className="visually-hidden">
          Operator accounts
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Added</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {list.map((o) => (
            <tr key={o.id}>
              <th scope="row">{o.name}</th>
              <td>{ROLE_TEXT[o.role]}</td>
              <td>
                <time dateTime={o.createdAt}>{dateTime(o.createdAt)}</time>
              </td>
              <td>
                {o.revokedAt === null ? (
                  <button
                    type="button"
                    className="button-danger"
                    aria-label={`Revoke ${o.name}`}
                    onClick={() => void revokeOperator(o)}
                  >
                    Revoke
                  </button>
                ) : (
                  <>
                    Revoked <time dateTime={o.revokedAt}>{dateTime(o.revokedAt)}</time>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The token of the account just added, shown this once. */
function NewToken({ created }: { created: { name: string; token: string } }) {
  return (
    <div className="token-once" role="status">
      <p>
        <strong>{created.name}</strong>’s token, shown this once: copy it now and give it to them.
        Paydesk keeps only a fingerprint of it.
      </p>
      <Field label={`${created.name}’s token`}>
        {(p) => (
          <input
            {...p}
            readOnly
            value={created.token}
            className="token-value"
            onFocus={(e) => e.currentTarget.select()}
          />
        )}
      </Field>
      <button type="button" onClick={dismissToken}>
        I have copied it
      </button>
    </div>
  );
}

function AddOperatorForm() {
  const form = useValidatedForm({
    empty: { name: '', role: 'operator' },
    fields: OPERATOR_FIELDS,
    check: checkOperator,
    submit: addOperator,
    keep: ['role'],
  });
  const { values, errorOf, update } = form;
  return (
    <form
      ref={form.formRef}
      className="form operator-form"
      aria-labelledby="add-operator-title"
      onSubmit={(e) => void form.onSubmit(e)}
      noValidate
    >
      <h3 id="add-operator-title">Add an operator</h3>
      <Field label="Name" error={errorOf('name')}>
        {(p) => (
          <input
            {...p}
            name="name"
            autoComplete="off"
            value={values.name}
            onChange={(e) => update('name', e.target.value)}
          />
        )}
      </Field>
      <Field label="Role" error={errorOf('role')}>
        {(p) => (
          <select
            {...p}
            name="role"
            value={values.role}
            onChange={(e) => update('role', e.target.value)}
          >
            {(Object.keys(ROLE_TEXT) as OperatorRole[]).map((role) => (
              <option key={role} value={role}>
                {ROLE_TEXT[role]}: {ROLE_HINT[role]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {form.formError && (
        <p className="form-error" role="alert">
          {form.formError}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={form.busy} aria-busy={form.busy}>
        Add operator
      </button>
    </form>
  );
}

export function OperatorsPanel() {
  const { session, list, loading, error, created } = useOperators();
  return (
    <section className="panel operators-panel" aria-labelledby="operators-title">
      <h2 id="operators-title">Operators</h2>
      {error && <ErrorState message={error} onRetry={() => void loadOperators()} />}
      {loading && !session && <Loading>Loading the operators…</Loading>}
      {session && <WhoAmI session={session} />}
      {session?.role === 'admin' && (
        <>
          {created && <NewToken created={created} />}
          {list && <OperatorList list={list} />}
          <AddOperatorForm />
        </>
      )}
    </section>
  );
}
