/**
 * The Settings screen's forms: business details printed on receipts, the scheduler's
 * interval and on/off, and in test mode the mock gateway's success rate and latency. Each
 * validates as you type with the contract's rules; an error the core returns shows next to
 * its field. Each form starts from the values stored when it was shown.
 */
import type { ReactNode } from 'react';
import type { SystemInfo } from '../../../../shared/contract';
import { EMPTY_BUSINESS, type Settings } from '../../../../shared/domain';
import {
  BUSINESS_FIELDS,
  checkBusiness,
  checkGateway,
  checkScheduler,
  GATEWAY_FIELDS,
  onFormFields,
  SCHEDULER_FIELDS,
  type BusinessValues,
  type GatewayValues,
  type SchedulerValues,
} from '../../lib/settings-form';
import { useValidatedForm } from '../../lib/use-validated-form';
import { configureGateway, saveSettings } from '../../store/settings';
import { Field } from '../Field';

function FormFrame(props: {
  id: string;
  title: string;
  intro?: ReactNode;
  formRef: React.RefObject<HTMLFormElement | null>;
  onSubmit: (e: React.FormEvent) => Promise<void>;
  formError: string | null;
  busy: boolean;
  submitLabel: string;
  children: ReactNode;
}) {
  return (
    <form
      ref={props.formRef}
      className="panel form"
      aria-labelledby={props.id}
      onSubmit={(e) => void props.onSubmit(e)}
      noValidate
    >
      <h2 id={props.id}>{props.title}</h2>
      {props.intro && <p className="muted settings-intro">{props.intro}</p>}
      {props.children}
      {props.formError && (
        <p className="form-error" role="alert">
          {props.formError}
        </p>
      )}
      <button type="submit" className="button-primary" disabled={props.busy} aria-busy={props.busy}>
        {props.submitLabel}
      </button>
    </form>
  );
}

export function BusinessForm({ settings }: { settings: Settings }) {
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
  const text = (field: keyof BusinessValues, label: string, hint?: string) => (
    <Field label={label} error={errorOf(field)} hint={hint}>
      {(p) => (
        <input
          {...p}
          name={field}
          value={values[field]}
          autoComplete="off"
          onChange={(e) => update(field, e.target.value)}
        />
      )}
    </Field>
  );
  return (
    <FormFrame
      id="business-title"
      title="Business details"
      intro="Printed on every receipt."
      formRef={form.formRef}
      onSubmit={form.onSubmit}
      formError={form.formError}
      busy={form.busy}
      submitLabel="Save business details"
    >
      {text('name', 'Business name')}
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
      {text('taxId', 'Tax ID', 'VAT number, EIN or the like; optional.')}
    </FormFrame>
  );
}

export function SchedulerSettingsForm({ settings }: { settings: Settings }) {
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
  const { values, errorOf, update } = form;
  return (
    <FormFrame
      id="scheduler-settings-title"
      title="Recurring charges"
      intro="How often the scheduler looks for subscriptions due, and whether it runs at all."
      formRef={form.formRef}
      onSubmit={form.onSubmit}
      formError={form.formError}
      busy={form.busy}
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
      <Field
        label="Interval (seconds)"
        error={errorOf('intervalSeconds')}
        hint="From 1 second to 86,400 (a day)."
        className="narrow-field"
      >
        {(p) => (
          <input
            {...p}
            name="intervalSeconds"
            type="number"
            inputMode="numeric"
            min={1}
            max={86_400}
            step={1}
            value={values.intervalSeconds}
            onChange={(e) => update('intervalSeconds', e.target.value)}
          />
        )}
      </Field>
    </FormFrame>
  );
}

export function GatewayForm({ info }: { info: SystemInfo }) {
  const { gateway } = info;
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
  const { values, errorOf, update } = form;
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
      formRef={form.formRef}
      onSubmit={form.onSubmit}
      formError={form.formError}
      busy={form.busy}
      submitLabel="Apply to the mock gateway"
    >
      <div className="form-row">
        <Field label="Success rate (%)" error={errorOf('successPercent')} className="grow">
          {(p) => (
            <input
              {...p}
              name="successPercent"
              type="number"
              inputMode="decimal"
              min={0}
              max={100}
              step="any"
              value={values.successPercent}
              onChange={(e) => update('successPercent', e.target.value)}
            />
          )}
        </Field>
        <Field label="Mean latency (ms)" error={errorOf('latencyMs')} className="grow">
          {(p) => (
            <input
              {...p}
              name="latencyMs"
              type="number"
              inputMode="numeric"
              min={0}
              max={60_000}
              step={1}
              value={values.latencyMs}
              onChange={(e) => update('latencyMs', e.target.value)}
            />
          )}
        </Field>
      </div>
    </FormFrame>
  );
}
