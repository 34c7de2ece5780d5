/** Record ids: a prefix, a time component that sorts, and randomness ("pay_m3k9x2a1b2c3d4e5"). */
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'pay' | 'sub' | 'cmd' | 'aud' | 'run';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`;
}
