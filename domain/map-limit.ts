// Bounded concurrency for many small awaits (user writes, id-list queries).
/**
 * Runs `fn` over items with at most `limit` in flight; results keep the input order. After the first
 * failure no new item is started, and the error is thrown only once every item in flight has ended:
 * a caller that retries never races writes still running from the failed try.
 */
export async function mapLimit<I, O>(items: I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return out;
}
