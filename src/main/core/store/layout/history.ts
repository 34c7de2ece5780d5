/** How an entry of the undo or redo stack is stored: as the object, in the snapshot and the journal. */
import { COMMAND_KINDS, historyEntry, ORIGINS, type HistoryEntry } from '../../../../shared/domain';
import { field, layoutOf } from './declare';
import { ANY, BOOL, INSTANT, oneOf, optional, TEXT } from './encodings';
import { OPERATOR_OR_NULL } from './operators';

export const HISTORY = layoutOf<HistoryEntry>()({
  kind: 'history',
  schema: historyEntry,
  journal: 'object',
  fields: [
    field('id', TEXT),
    field('kind', oneOf(COMMAND_KINDS)),
    field('label', TEXT),
    field('params', ANY),
    field('memo', ANY),
    field('origin', oneOf(ORIGINS)),
    field('createdAt', INSTANT),
    field('barrier', BOOL),
    field('movesMoney', BOOL),
    field('outcome', optional(TEXT)),
    field('operator', OPERATOR_OR_NULL),
  ],
});
