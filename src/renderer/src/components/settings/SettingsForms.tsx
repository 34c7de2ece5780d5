/**
 * The Settings screen's forms: business details printed on receipts, the scheduler's
 * interval and on/off, and in test mode the mock gateway's success rate and latency. Each
 * validates as you type with the contract's rules; an error the core returns shows next to
 * its field. Each form starts from the values stored when it was shown.
 */
import type { InputHTMLAttributes, ReactNode } from 'react';
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
  type GatewayValues,
  type SchedulerValues,
} from '../../lib/settings-form';
import { useValidatedForm } from '../../lib/use-validated-form';
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
