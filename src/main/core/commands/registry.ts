/** Every command kind, declared once: the invoker looks declarations up here by kind. */
import type { z } from 'zod';
import type { CommandKind } from '../../../shared/domain';
import type { CommandDefinition } from './command';
import { forgiveFailedPeriod, retryFailedPeriod } from './failed-periods';
import { chargeMissedPeriods, skipMissedPeriods } from './missed-periods';
import { processPayment, refundPayment } from './payment-commands';
import { runRecurring } from './run-recurring';
import {
  cancelSubscription,
  createSubscriptionCommand,
  pauseSubscription,
  resumeSubscription,
} from './subscription-commands';

export const commands = {
  ProcessPayment: processPayment,
  RefundPayment: refundPayment,
  CreateSubscription: createSubscriptionCommand,
  PauseSubscription: pauseSubscription,
  ResumeSubscription: resumeSubscription,
  CancelSubscription: cancelSubscription,
  RunRecurring: runRecurring,
  ChargeMissedPeriods: chargeMissedPeriods,
  SkipMissedPeriods: skipMissedPeriods,
  RetryFailedPeriod: retryFailedPeriod,
  ForgiveFailedPeriod: forgiveFailedPeriod,
} as const satisfies Record<CommandKind, unknown>;

export type Commands = typeof commands;
export type ParamsOf<K extends CommandKind> = z.output<Commands[K]['params']>;
export type ResultOf<K extends CommandKind> = Awaited<ReturnType<Commands[K]['execute']>>['result'];

/** A declaration with its types erased, for code that handles every kind alike. */
export function definitionOf(kind: CommandKind): CommandDefinition<unknown, unknown, unknown> {
  return commands[kind] as unknown as CommandDefinition<unknown, unknown, unknown>;
}
