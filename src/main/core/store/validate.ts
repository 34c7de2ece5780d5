/**
 * Validation of a raw snapshot document (after migration) into a SnapshotDoc: every record
 * it holds is checked against its domain schema; the first bad one stops the open with
 * StoreError 'corrupt' naming the file, the line and the field. (Payments in the current
 * layout are not in the raw document: see payment-base.ts for what is checked when.)
 */
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/domain';
import { SECTION_KINDS, type RawDoc } from './migrations';
import { isInstant, type RecordChecks } from './records';
import { corruptSnapshot } from './errors';
import { CURRENT_FORMAT } from './format';
import { SECTIONS, type Section } from './snapshot';
import type { SnapshotDoc } from './state';

export function validateSnapshot(
  file: string,
  raw: RawDoc,
  firstLines: Partial<Record<Section, number>>,
  { checkRecord }: RecordChecks = CURRENT_FORMAT,
): SnapshotDoc {
  const journalSeq = raw.journalSeq ?? 0;
  if (!Number.isSafeInteger(journalSeq) || (journalSeq as number) < 0) {
    throw corruptSnapshot(file, `journalSeq is ${JSON.stringify(journalSeq)}, not a count`, 1);
  }
  let settings: Settings = DEFAULT_SETTINGS;
  if (raw.settings !== undefined) {
    const problem = checkRecord('settings', raw.settings);
    if (problem !== null) throw corruptSnapshot(file, `settings: ${problem}`, 1);
    settings = raw.settings as Settings;
  }
  const testClock = raw.testClock ?? null;
  if (testClock !== null && !isInstant(testClock)) {
    throw corruptSnapshot(file, `testClock is ${JSON.stringify(testClock)}, not an instant`, 1);
  }
  const gatewayCursor = raw.gatewayCursor ?? null;
  if (gatewayCursor !== null && typeof gatewayCursor !== 'string') {
    throw corruptSnapshot(file, `gatewayCursor is ${JSON.stringify(gatewayCursor)}, not text`, 1);
  }
  const doc = {
    schemaVersion: raw.schemaVersion as number,
    journalSeq: journalSeq as number,
    settings,
    testClock: testClock as string | null,
    gatewayCursor,
  } as SnapshotDoc;
  for (const section of SECTIONS) {
    const records = raw[section] ?? [];
    if (!Array.isArray(records)) throw corruptSnapshot(file, `${section} is not a list`);
    const kind = SECTION_KINDS[section];
    for (let i = 0; i < records.length; i++) {
      const problem = checkRecord(kind, records[i]);
      if (problem !== null) {
        const first = firstLines[section];
        throw corruptSnapshot(
          file,
          `${section}[${i}]: ${problem}`,
          first === undefined ? undefined : first + i,
        );
      }
    }
    (doc as unknown as Record<Section, unknown[]>)[section] = records;
  }
  return doc;
}
