/**
 * The Settings screen's forms as pure functions: what the operator typed becomes the input
 * of `settings.set` or `gateway.configure`, checked with the contract's own schemas, errors
 * keyed by the forms' fields; and the core's field names mapped back onto those fields.
 */
import type { z } from 'zod';
import { gatewaySettings, operations, type OperationInput } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import type { Checked, FieldErrors } from './validation';

/** The first message of each top-level (or, with `nested`, second-level) field. */
function schemaErrors(schema: z.ZodType, input: unknown, nested = false): Record<string, string> {
  const parsed = schema.safeParse(input);
  const errors: Record<string, string> = {};
  if (parsed.success) return errors;
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[nested ? 1 : 0] ?? '');
    if (field && errors[field] === undefined) errors[field] = issue.message;
  }
  return errors;
}

const wholeNumber = (text: string): number => (/^\d+$/.test(text.trim()) ? Number(text) : NaN);

export interface BusinessValues {
  name: string;
  address: string;
  taxId: string;
}
export type BusinessField = keyof BusinessValues;
export const BUSINESS_FIELDS: readonly BusinessField[] = ['name', 'address', 'taxId'];
type SettingsInput = OperationInput<'settings.set'>;

export function checkBusiness(values: BusinessValues): Checked<SettingsInput, BusinessField> {
  const input: SettingsInput = {
    business: {
      name: values.name.trim(),
      address: values.address.trim(),
      taxId: values.taxId.trim(),
    },
  };
  return { input, errors: schemaErrors(operations['settings.set'].input, input, true) };
}

export interface SchedulerValues {
  intervalSeconds: string;
  /** 'on' or 'off', from a checkbox. */
  enabled: string;
}
export type SchedulerField = keyof SchedulerValues;
export const SCHEDULER_FIELDS: readonly SchedulerField[] = ['intervalSeconds', 'enabled'];

export function checkScheduler(values: SchedulerValues): Checked<SettingsInput, SchedulerField> {
  const input: SettingsInput = {
    schedulerIntervalSeconds: wholeNumber(values.intervalSeconds),
    schedulerEnabled: values.enabled === 'on',
  };
  const errors: FieldErrors<SchedulerField> = {};
  const problems = schemaErrors(operations['settings.set'].input, input);
  if (problems.schedulerIntervalSeconds) errors.intervalSeconds = problems.schedulerIntervalSeconds;
  if (Number.isNaN(input.schedulerIntervalSeconds)) {
    errors.intervalSeconds = 'Enter a whole number of seconds';
  }
  return { input, errors };
}

export interface BackupValues {
  /** An absolute path, or empty for the `backups` folder in the data directory. */
  folder: string;
  keep: string;
  /** 'on' or 'off', from a checkbox. */
  daily: string;
}
export type BackupField = keyof BackupValues;
export const BACKUP_FIELDS: readonly BackupField[] = ['folder', 'keep', 'daily'];

export function checkBackup(values: BackupValues): Checked<SettingsInput, BackupField> {
  const folder = values.folder.trim();
  const backup = {
    folder: folder === '' ? null : folder,
    keep: wholeNumber(values.keep),
    daily: values.daily === 'on',
  };
  const input: SettingsInput = { backup };
  const errors: FieldErrors<BackupField> = schemaErrors(
    operations['settings.set'].input,
    input,
    true,
  );
  if (Number.isNaN(backup.keep)) errors.keep = 'Enter a whole number of backups';
  return { input, errors };
}

export interface GatewayValues {
  /** Percent, 0 to 100 (the contract takes a fraction). */
  successPercent: string;
  latencyMs: string;
}
export type GatewayField = keyof GatewayValues;
export const GATEWAY_FIELDS: readonly GatewayField[] = ['successPercent', 'latencyMs'];
type GatewayInput = OperationInput<'gateway.configure'>;

export function checkGateway(values: GatewayValues): Checked<GatewayInput, GatewayField> {
  const percentText = values.successPercent.trim();
  const percent = /^\d+(\.\d+)?$/.test(percentText) ? Number(percentText) : NaN;
  const input: GatewayInput = {
    successRate: percent / 100,
    latencyMs: wholeNumber(values.latencyMs),
  };
  const errors: FieldErrors<GatewayField> = {};
  if (!(percent >= 0 && percent <= 100)) errors.successPercent = 'Enter a percentage from 0 to 100';
  const problems = schemaErrors(gatewaySettings, input);
  if (problems.latencyMs || Number.isNaN(input.latencyMs)) {
    errors.latencyMs = 'Enter a whole number of milliseconds from 0 to 60,000';
  }
  return { input, errors };
}

/**
 * A core answer with its field renamed to the form's (business.name → name,
 * schedulerIntervalSeconds → intervalSeconds), so the error shows next to that field.
 */
export function onFormFields<T>(result: Result<T>, names: Record<string, string>): Result<T> {
  if (result.ok || result.error.field === undefined) return result;
  const field = names[result.error.field];
  if (field === undefined) return result;
  const message = result.error.message.replace(/^[\w.]+: /, '');
  return { ok: false, error: { ...result.error, field, message } };
}

export interface OperatorValues {
  name: string;
  role: string;
}
export type OperatorField = keyof OperatorValues;
export const OPERATOR_FIELDS: readonly OperatorField[] = ['name', 'role'];
type OperatorInput = OperationInput<'operators.create'>;

/** A new operator account: its name and role, checked with operators.create's schema. */
export function checkOperator(values: OperatorValues): Checked<OperatorInput, OperatorField> {
  const input = { name: values.name.trim(), role: values.role } as OperatorInput;
  return { input, errors: schemaErrors(operations['operators.create'].input, input) };
}
