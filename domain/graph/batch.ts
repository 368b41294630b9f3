// JSON batching: at most 20 requests per POST /$batch, each inner response judged on its own; a 429 or
// 503 inside the batch pauses the tenant for its Retry-After and only that request is sent again.
// https://learn.microsoft.com/graph/json-batching ; https://learn.microsoft.com/graph/throttling#throttling-and-batching
import type { GraphPacer } from './pacing';
import { retryAfterMs, systemClock, type Clock } from './pacing';
import type { GraphTransport } from './transport';

export const MAX_BATCH = 20;

export interface BatchItem {
  id: string;
  method: 'GET' | 'POST';
  /** Relative to the version: "/users/{id}/assignLicense". */
  url: string;
  body?: unknown;
  /**
   * A write's lease fence (see UserLicenseWrite.fence): checked right before every attempt to send the
   * item (the first, after a Retry-After, after a lost reply); once it throws the item is never sent.
   */
  fence?: () => void;
}

export type BatchItemResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: unknown }
  | { kind: 'unknown'; reason: 'timeout' | 'connectionLost' | 'serverError'; status?: number }
  /** Not sent: its fence closed (the runner lost its lease); `error` is what the fence threw. */
  | { kind: 'fenced'; error: unknown };

/** Every item of a batch was fenced out: there is nothing left to send. */
class NothingToSend extends Error {}

export interface BatchContext {
  transport: GraphTransport;
  pacer: GraphPacer;
  clock?: Clock;
  /** Times one item may be throttled (or lost, for reads) before its last answer stands. */
  maxAttempts?: number;
}

function lowerKeys(h: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** Sends items in batches of 20; `writes` says whether each item counts against the write budget. */
export async function runBatches(
  ctx: BatchContext,
  tenantId: string,
  items: BatchItem[],
  writes: boolean,
): Promise<Map<string, BatchItemResult>> {
  const clock = ctx.clock ?? systemClock;
  const maxAttempts = ctx.maxAttempts ?? 6;
  const results = new Map<string, BatchItemResult>();
  const attempts = new Map<string, number>();
  let pending = [...items];
  while (pending.length) {
    const again: BatchItem[] = [];
    for (let i = 0; i < pending.length; i += MAX_BATCH) {
      let chunk = pending.slice(i, i + MAX_BATCH);
      for (const item of chunk) attempts.set(item.id, (attempts.get(item.id) ?? 0) + 1);
      // Fences are checked when the request really goes out (after pacing and any Retry-After, and
      // again on the transport's own retries): an entry whose runner lost its lease is left out.
      const bodyNow = () => {
        chunk = chunk.filter((item) => {
          try {
            item.fence?.();
            return true;
          } catch (error) {
            results.set(item.id, { kind: 'fenced', error });
            return false;
          }
        });
        if (!chunk.length) throw new NothingToSend();
        return { requests: chunk.map(({ id, method, url, body }) => ({ id, method, url, ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json' } }) })) };
      };
      let outcome: Awaited<ReturnType<GraphTransport['send']>>;
      try {
        outcome = await ctx.transport.send(tenantId, { method: 'POST', url: '/v1.0/$batch', bodyNow, writes: writes ? chunk.length : 0 });
      } catch (err) {
        if (err instanceof NothingToSend) continue;
        throw err;
      }
      if (outcome.kind === 'unknown') {
        for (const item of chunk) {
          if (!writes && attempts.get(item.id)! < maxAttempts) again.push(item);
          else results.set(item.id, outcome);
        }
        continue;
      }
      const { status, body } = outcome.response;
      const responses = (body as { responses?: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[] })?.responses;
      if (status !== 200 || !Array.isArray(responses)) {
        for (const item of chunk) results.set(item.id, { kind: 'response', status, headers: outcome.response.headers as Record<string, string>, body });
        continue;
      }
      const byId = new Map(responses.map((r) => [String(r.id), r]));
      for (const item of chunk) {
        const r = byId.get(item.id);
        if (!r) {
          results.set(item.id, { kind: 'unknown', reason: 'connectionLost' });
          continue;
        }
        const headers = lowerKeys(r.headers);
        if (r.status === 429 || r.status === 503) ctx.pacer.pause(tenantId, retryAfterMs(headers['retry-after'], clock.now()));
        else if (r.status >= 500) ctx.pacer.pause(tenantId, Math.min(250 * 2 ** (attempts.get(item.id)! - 1), 8000));
        const retry = r.status === 429 || (!writes && r.status >= 500);
        if (retry && attempts.get(item.id)! < maxAttempts) again.push(item);
        else if (writes && r.status >= 500) results.set(item.id, { kind: 'unknown', reason: 'serverError', status: r.status });
        else results.set(item.id, { kind: 'response', status: r.status, headers, body: r.body });
      }
    }
    pending = again;
  }
  return results;
}
