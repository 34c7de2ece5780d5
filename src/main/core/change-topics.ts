/**
 * Which views a commit's changes concern: the topics of the `changed` push event that tells
 * screens to refetch, when another instance sharing the database made the commit.
 */
import type { ChangeTopic } from '../../shared/contract';
import type { Change } from './ports';

const TOPICS: Readonly<Record<Change['t'], readonly ChangeTopic[]>> = {
  payment: ['payments'],
  refund: ['payments'],
  subscription: ['subscriptions'],
  audit: ['history'],
  'undo.push': ['history'],
  'undo.pop': ['history'],
  'redo.push': ['history'],
  'redo.pop': ['history'],
  'redo.clear': ['history'],
  'undo.remove': ['history'],
  'redo.remove': ['history'],
  settings: ['settings'],
  clock: ['clock'],
  idempotency: [],
  gatewayCursor: [],
};

/** The topics of `changes`, each once. */
export function topicsOf(changes: readonly Change[]): ChangeTopic[] {
  const topics = new Set<ChangeTopic>();
  for (const change of changes) for (const topic of TOPICS[change.t]) topics.add(topic);
  return [...topics];
}
