/**
 * A bearer token as Paydesk takes one from outside (the API token, the gateway service's):
 * RFC 6750's b64token characters, long enough not to be guessed.
 */
import { z } from 'zod';

export const tokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9._~+/-]+=*$/, 'use letters, digits and -._~+/ only')
  .min(16, 'use at least 16 characters')
  .max(512, 'use at most 512 characters');

/** A gateway service's address: http or https only. */
export const serviceUrl = z.url({ protocol: /^https?$/ });
