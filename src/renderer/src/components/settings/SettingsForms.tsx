/**
 * The Settings screen's forms: business details printed on receipts, the scheduler's
 * interval and on/off, where backups go and how many daily ones are kept, and in test mode
 * the mock gateway's success rate and latency. Each
 * validates as you type with the contract's rules; an error the core returns shows next to
 * its field. Each form starts from the values stored when it was shown.
 */
import type { InputHTMLAttributes, ReactNode } from 'react';
import type { SystemInfo } from '../../../../shared/contract';
import { DEFAULT_BACKUP, EMPTY_BUSINESS, type SettingsView } from '../../../../shared/domain';
import {
  BACKUP_FIELDS,
  BUSINESS_FIELDS,
  checkBackup,
  checkBusiness,
  checkGateway,
  checkScheduler,
  GATEWAY_FIELDS,
  onFormFields,
  SCHEDULER_FIELDS,
  type BackupValues,
  type GatewayValues,
  type SchedulerValues,
} from '../../lib/settings-form';
import { useValidatedForm } from '../../lib/use-validated-form';
import { loadBackups } from '../../store/backups';
import { configureGateway, saveSettings } from '../../store/settings';
import { Field } from '../Field';

/** What the frame and the inputs take of a form (lib/use-validated-form.ts). */
type SettingsForm<F extends string> = Pick<
  ReturnType<typeof useValidatedForm<F, Record<F, string>, unknown>>,
  'values' | 'errorOf' | 'update' | 'formRef' | 'onSubmit' | 'formError' | 'busy'
>;

function FormFrame<F extends string>(props: {
  id: string;
  title: string;
  intro?: ReactNode;
  form: SettingsForm<F>;
  submitLabel: string;
  children: ReactNode;
}) {
  const { form } = props;
  return (
    <form
      ref={form.formRef}
      className="panel form"
      aria-labelledby={props.id}
      onSubmit={(e) => void form.onSubmit(e)}
      noValidate
    >
      <h2 id={props.id}>{props.title}</h2>
      {props.intro && <p className="muted settings-intro">{props.intro}</p>}
      {props.children}
      {form.formError && (
        <p className="form-error" role="alert">
          {form.formError}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={form.busy} aria-busy={form.busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}

/** A labelled input of `form` bound to `field`: its value, its changes and its error. */
function FormInput<F extends string>(props: {
  form: SettingsForm<F>;
  field: F;
  label: string;
  hint?: string;
  className?: string;
  /** The input's own attributes (type, limits, autocomplete). */
  input: InputHTMLAttributes<HTMLInputElement>;
}) {
  const { form, field } = props;
  return (
    <Field
      label={props.label}
      error={form.errorOf(field)}
      hint={props.hint}
      className={props.className}
    >
      {(p) => (
        <input
          {...p}
          {...props.input}
          name={field}
          value={form.values[field]}
          onChange={(e) => form.update(field, e.target.value)}
        />
      )}
    </Field>
  );
}

export function BusinessForm({ settings }: { settings: SettingsView }) {
  const business = settings.business ?? EMPTY_BUSINESS;
  const form = useValidatedForm({
    empty: { name: business.name, address: business.address, taxId: business.taxId },
    fields: BUSINESS_FIELDS,
    check: checkBusiness,
    submit: async (input, call) =>
      onFormFields(await saveSettings(input, call, 'Business details saved'), {
        'business.name': 'name',
        'business.address': 'address',
        'business.taxId': 'taxId',
      }),
    keep: BUSINESS_FIELDS,
  });
  const { values, errorOf, update } = form;
  return (
    <FormFrame
      id="business-title"
      title="Business details"
      intro="Printed on every receipt."
      form={form}
      submitLabel="Save business details"
    >
      <FormInput form={form} field="name" label="Business name" input={{ autoComplete: 'off' }} />
      <Field label="Address" error={errorOf('address')}>
        {(p) => (
          <textarea
            {...p}
            name="address"
            rows={3}
            value={values.address}
            onChange={(e) => update('address', e.target.value)}
          />
        )}
      </Field>
      <FormInput
        form={form}
        field="taxId"
        label="Tax ID"
        hint="VAT number, EIN or the like; optional."
        input={{ autoComplete: 'off' }}
      />
    </FormFrame>
  );
}

export function SchedulerSettingsForm({ settings }: { settings: SettingsView }) {
  const form = useValidatedForm({
    empty: {
      intervalSeconds: String(settings.schedulerIntervalSeconds),
      enabled: settings.schedulerEnabled ? 'on' : 'off',
    } satisfies SchedulerValues,
    fields: SCHEDULER_FIELDS,
    check: checkScheduler,
    submit: async (input, call) =>
      onFormFields(await saveSettings(input, call, 'Scheduler settings saved'), {
        schedulerIntervalSeconds: 'intervalSeconds',
        schedulerEnabled: 'enabled',
      }),
    keep: SCHEDULER_FIELDS,
  });
  const { values, update } = form;
  return (
    <FormFrame
      id="scheduler-settings-title"
      title="Recurring charges"
      intro="How often the scheduler looks for subscriptions due, and whether it runs at all."
      form={form}
      submitLabel="Save scheduler settings"
    >
      <div className="checkbox-field">
        <input
          id="scheduler-enabled"
          name="enabled"
          type="checkbox"
          checked={values.enabled === 'on'}
          onChange={(e) => update('enabled', e.target.checked ? 'on' : 'off')}
        />
        <label htmlFor="scheduler-enabled">Run recurring charges on a timer</label>
      </div>
      <FormInput
        form={form}
        field="intervalSeconds"
        label="Interval (seconds)"
        hint="From 1 second to 86,400 (a day)."
        className="narrow-field"
        input={{ type: 'number', inputMode: 'numeric', min: 1, max: 86_400, step: 1 }}
      />
    </FormFrame>
  );
}

/**
 * Where backups go, how many daily ones are kept and whether they are made. `dailyRuns`:
 * whether this app backs up daily at all (null while unknown).
 */
export function BackupSettingsForm(props: { settings: SettingsView; dailyRuns: boolean | null }) {
  const backup = props.settings.backup ?? DEFAULT_BACKUP;
  const form = useValidatedForm({
    empty: {
      folder: backup.folder ?? '',
      keep: String(backup.keep),
      daily: backup.daily ? 'on' : 'off',
    } satisfies BackupValues,
    fields: BACKUP_FIELDS,
    check: checkBackup,
    submit: async (input, call) => {
      const saved = await saveSettings(input, call, 'Backup settings saved');
      // The list shown is the folder's: a new folder, other backups.
      if (saved.ok) void loadBackups();
      return onFormFields(saved, {
        'backup.folder': 'folder',
        'backup.keep': 'keep',
        'backup.daily': 'daily',
      });
    },
    keep: BACKUP_FIELDS,
  });
  const { values, update } = form;
  return (
    <FormFrame
      id="backup-settings-title"
      title="Backup settings"
      form={form}
      submitLabel="Save backup settings"
    >
      <FormInput
        form={form}
        field="folder"
        label="Backup folder"
        hint="The whole path of a folder; empty: the backups folder in the data directory."
        input={{
          autoComplete: 'off',
          spellCheck: false,
          placeholder: 'backups (in the data directory)',
        }}
      />
      <div className="checkbox-field">
        <input
          id="backup-daily"
          name="daily"
          type="checkbox"
          checked={values.daily === 'on'}
          aria-describedby={props.dailyRuns === false ? 'backup-daily-hint' : undefined}
          onChange={(e) => update('daily', e.target.checked ? 'on' : 'off')}
        />
        <label htmlFor="backup-daily">Back up once a day</label>
      </div>
      {props.dailyRuns === false && (
        <p id="backup-daily-hint" className="field-hint">
          This server backs up daily only when started with <code>--daily-backups</code>.
        </p>
      )}
      <FormInput
        form={form}
        field="keep"
        label="Daily backups kept"
        hint="The newest are kept, from 1 to 365; backups made by hand are never removed."
        className="narrow-field"
        input={{ type: 'number', inputMode: 'numeric', min: 1, max: 365, step: 1 }}
      />
    </FormFrame>
  );
}

/** The gateway this desk calls: the shared gateway service, or the mock in its own process. */
export function GatewayForm({ info }: { info: SystemInfo }) {
  const { gateway } = info;
  if (gateway.kind === 'mock') return <MockGatewayForm gateway={gateway} />;
  return (
    <section className="panel" aria-labelledby="gateway-title">
      <h2 id="gateway-title">Gateway service</h2>
      <dl className="facts">
        <dt>URL</dt>
        <dd>
          <code>{gateway.url}</code>
        </dd>
      </dl>
      <p className="muted">
        This desk calls the shared gateway service (<code>npm run gateway</code>), as the other
        desks do. Its success rate and latency are set where it runs. Backups copy no gateway
        ledger: the service keeps it.
      </p>
    </section>
  );
}

function MockGatewayForm({
  gateway,
}: {
  gateway: Extract<SystemInfo['gateway'], { kind: 'mock' }>;
}) {
  const form = useValidatedForm({
    empty: {
      successPercent: String(Math.round(gateway.successRate * 10_000) / 100),
      latencyMs: String(gateway.latencyMs),
    } satisfies GatewayValues,
    fields: GATEWAY_FIELDS,
    check: checkGateway,
    submit: async (input, call) =>
      onFormFields(await configureGateway(input, call), {
        successRate: 'successPercent',
        latencyMs: 'latencyMs',
      }),
    keep: GATEWAY_FIELDS,
  });
  if (!gateway.configurable) {
    return (
      <section className="panel" aria-labelledby="gateway-title">
        <h2 id="gateway-title">Mock gateway</h2>
        <dl className="facts">
          <dt>Success rate</dt>
          <dd>{Math.round(gateway.successRate * 10_000) / 100}%</dd>
          <dt>Mean latency</dt>
          <dd>{gateway.latencyMs} ms</dd>
        </dl>
        <p className="muted">
          Set when Paydesk starts. With the test clock (<code>--clock test</code>) they can be
          changed here.
        </p>
      </section>
    );
  }
  return (
    <FormFrame
      id="gateway-title"
      title="Mock gateway (test mode)"
      intro="How the mock gateway answers charges without a test payment method, until Paydesk restarts."
      form={form}
      submitLabel="Apply to the mock gateway"
    >
      <div className="form-row">
        <FormInput
          form={form}
          field="successPercent"
          label="Success rate (%)"
          className="grow"
          input={{ type: 'number', inputMode: 'decimal', min: 0, max: 100, step: 'any' }}
        />
        <FormInput
          form={form}
          field="latencyMs"
          label="Mean latency (ms)"
          className="grow"
          input={{ type: 'number', inputMode: 'numeric', min: 0, max: 60_000, step: 1 }}
        />
      </div>
    </FormFrame>
  );
}
