/**
 * The encodings of who did something (audit entries, history entries, requests) and of the
 * operator accounts the settings hold.
 */
import { z } from 'zod';
import { operatorAccount } from '../../../../shared/domain';
import { member, nullable, object, rule, TEXT } from './encodings';

/** An operator by id and name, or null (the single desk, Paydesk itself). */
export const OPERATOR_OR_NULL = nullable(object([member('id', TEXT), member('name', TEXT)]));

/** The accounts: checked with the domain's schema (one settings record, read at open). */
export const OPERATOR_ACCOUNTS = rule(z.array(operatorAccount), [
  [],
  [
    {
      id: 'op_1',
      name: 'Ann',
      role: 'admin',
      tokenHash: 'a'.repeat(64),
      createdAt: '2026-01-02T03:04:05.000Z',
      revokedAt: null,
    },
    {
      id: 'op_2',
      name: 'Bo',
      role: 'viewer',
      tokenHash: '0123456789abcdef'.repeat(4),
      createdAt: '2026-01-02T03:04:05.000Z',
      revokedAt: '2026-02-02T03:04:05.000Z',
    },
  ],
]);
