/**
 * Record ids: a prefix, a time component that sorts, and randomness ("pay_m3k9x2a1b2c3d4e5").
 *
 * Ids made by one process sort in the order they were made, even within one millisecond or
 * when the system clock steps back (as ULIDs do: the random part of the previous id is
 * incremented instead of drawn). The store breaks createdAt ties by id, so a recurring
 * batch whose payments share one instant lists them in the order they were charged.
 */
import { randomBytes } from 'node:crypto';

export type IdPrefix = 'pay' | 'sub' | 'cmd' | 'aud' | 'run' | 'req' | 'rfd' | 'opr';

const RANDOM_DIGITS = 10; // hex: 40 bits
const RANDOM_LIMIT = 2 ** 40;

let lastMs = 0;
let lastRandom = 0;

function nextParts(): { ms: number; random: number } {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // Drawn from the lower half, so that the increments of one millisecond never carry over.
    lastRandom = randomBytes(5).readUIntBE(0, 5) % (RANDOM_LIMIT / 2);
  } else if (++lastRandom >= RANDOM_LIMIT) {
    lastMs += 1;
    lastRandom = 0;
  }
  return { ms: lastMs, random: lastRandom };
}

export function newId(prefix: IdPrefix): string {
  const { ms, random } = nextParts();
  return `${prefix}_${ms.toString(36)}${random.toString(16).padStart(RANDOM_DIGITS, '0')}`;
}
