// Plain node:https to Graph: a keep-alive agent (a test CA goes in its `ca`), a bearer token per tenant,
// every request through the pacer, and an honest account of what happened to a request whose reply
// never came (sent or not). Retries only what is safe: reads, and 429s (Graph did not process those).
// https://learn.microsoft.com/graph/throttling ; https://learn.microsoft.com/graph/errors
import { Agent, request as httpsRequest } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { TenantTokenSource } from './credentials';
import { GraphPacer, retryAfterMs, systemClock, type Clock } from './pacing';
import { GraphConnectionError } from './token-errors';

export interface GraphResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: any;
}

export type SendOutcome =
  | { kind: 'response'; response: GraphResponse }
  /** The request may or may not have been processed: settle by reading back. */
  | { kind: 'unknown'; reason: 'timeout' | 'connectionLost' | 'serverError'; status?: number };

export interface GraphRequest {
  method: 'GET' | 'POST';
  /** A path under the endpoint ("/v1.0/users") or an absolute URL on the endpoint's origin. */
  url: string;
  body?: unknown;
  /** Identity writes this request counts for (0 for reads; a $batch counts its inner writes). */
  writes: number;
  /**
   * Called once the pacer lets the request go, immediately before each attempt is put on the wire:
   * returns the body to send (e.g. a $batch without the entries whose lease fence closed meanwhile).
   * If it throws, nothing is sent and `send` throws that.
   */
  bodyNow?: () => unknown;
}

export interface TransportOptions {
  graphEndpoint: string;
  tokens: TenantTokenSource;
  pacer: GraphPacer;
  agent?: Agent;
  clock?: Clock;
  timeoutMs?: number;
  /** Attempts for reads and for 429s before the last answer is returned as it is. */
  maxAttempts?: number;
}

type RawResult = { kind: 'response'; response: GraphResponse } | { kind: 'notSent' } | { kind: 'unknown'; reason: 'timeout' | 'connectionLost' };

export class GraphTransport {
  readonly origin: string;
  private readonly agent: Agent;
  private readonly clock: Clock;

  constructor(private readonly options: TransportOptions) {
    this.origin = new URL(options.graphEndpoint).origin;
    this.agent = options.agent ?? new Agent({ keepAlive: true });
    this.clock = options.clock ?? systemClock;
  }

  /** True when a URL (e.g. an @odata.nextLink) stays on the Graph endpoint's origin. */
  onOrigin(url: string): boolean {
    try {
      return new URL(url, this.origin).origin === this.origin;
    } catch {
      return false;
    }
  }

  async send(tenantId: string, req: GraphRequest): Promise<SendOutcome> {
    const url = new URL(req.url, this.options.graphEndpoint + '/');
    if (url.origin !== this.origin) throw new Error(`refusing to send to ${url.origin}: not the Graph endpoint`);
    const retryAlways = req.method === 'GET';
    const maxAttempts = this.options.maxAttempts ?? 6;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.options.tokens.token(tenantId);
      const raw = await this.options.pacer.run(tenantId, req.writes, async () => {
        const r = await this.raw(url, req.bodyNow ? { ...req, body: req.bodyNow() } : req, token);
        if (r.kind === 'response' && (r.response.status === 429 || r.response.status === 503)) {
          this.options.pacer.pause(tenantId, retryAfterMs(r.response.headers['retry-after'], this.clock.now()));
        }
        return r;
      });
      const last = attempt >= maxAttempts;
      // Without a Retry-After, back off before trying again (250 ms doubling, at most 8 s).
      const backoff = () => this.options.pacer.pause(tenantId, Math.min(250 * 2 ** (attempt - 1), 8000));
      if (raw.kind === 'notSent' || (raw.kind === 'unknown' && retryAlways) || (raw.kind === 'response' && raw.response.status >= 500 && raw.response.status !== 503)) {
        if (!last) backoff();
      }
      if (raw.kind === 'notSent') {
        if (!last) continue;
        return { kind: 'unknown', reason: 'connectionLost' };
      }
      if (raw.kind === 'unknown') {
        if (retryAlways && !last) continue;
        return raw;
      }
      const { status } = raw.response;
      if (status === 429 && !last) continue;
      if (status >= 500 && retryAlways && !last) continue;
      if (status >= 500 && req.method !== 'GET') return { kind: 'unknown', reason: 'serverError', status };
      // A token Graph no longer takes (expired early, consent or the app removed): ask for a new one
      // once; if the identity platform refuses that, its answer names the real problem (e.g. consent).
      // Graph did not process a request it answered 401, so sending it again is safe.
      if (status === 401 && !refreshed) {
        refreshed = true;
        this.options.tokens.forget(tenantId);
        continue;
      }
      if (status === 401 || status === 403) {
        throw new GraphConnectionError(status === 401 ? 'tokenRejected' : 'permissionMissing', { tenantId, httpStatus: status });
      }
      return raw;
    }
  }

  private raw(url: URL, req: GraphRequest, token: string): Promise<RawResult> {
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return new Promise((resolve) => {
      let sent = false;
      let settled = false;
      const done = (r: RawResult) => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const r = httpsRequest(url, {
        method: req.method,
        agent: this.agent,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'client-request-id': randomUUID(),
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      });
      r.setTimeout(this.options.timeoutMs ?? 30_000, () => {
        done(sent ? { kind: 'unknown', reason: 'timeout' } : { kind: 'notSent' });
        r.destroy();
      });
      r.on('finish', () => (sent = true));
      r.on('error', () => done(sent ? { kind: 'unknown', reason: 'connectionLost' } : { kind: 'notSent' }));
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('aborted', () => done({ kind: 'unknown', reason: 'connectionLost' }));
        res.on('error', () => done({ kind: 'unknown', reason: 'connectionLost' }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if (/json/.test(String(res.headers['content-type'] ?? '')) && text) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          done({ kind: 'response', response: { status: res.statusCode ?? 0, headers, body } });
        });
      });
      r.end(payload);
    });
  }
}
