/**
 * Running many calls to a remote service with at most `limit` in flight at once, as
 * reconciliation looks payments up and an undo refunds a run's charges: one at a time waits
 * a round trip each; all at once would flood the provider.
 */

/**
 * Calls `work` for every item, at most `limit` at a time, in order of the items; resolves
 * with the outcomes in the items' order once every call has settled (a failure does not stop
 * the others).
 */
export async function settleBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const outcomes: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { status: 'fulfilled', value: await work(items[index] as T, index) };
      } catch (reason) {
        outcomes[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return outcomes;
}
