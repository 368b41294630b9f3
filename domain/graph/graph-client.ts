// The Graph calls License Desk makes, for one customer tenant at a time. Lists follow @odata.nextLink to
// the end, and only while it stays on the Graph endpoint (a token must never go elsewhere).
// users: https://learn.microsoft.com/graph/api/user-list ; paging: https://learn.microsoft.com/graph/paging
// delta: https://learn.microsoft.com/graph/api/user-delta ; subscribedSkus: https://learn.microsoft.com/graph/api/subscribedsku-list
// delegatedAdminCustomers: https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadmincustomers
import type { Agent } from 'node:https';
import { runBatches, type BatchContext } from './batch';
import { createTenantTokenSource, type TenantTokenSource } from './credentials';
import {
  DELTA_FIELDS,
  GraphReadError,
  USER_FIELDS,
  type GraphDelegatedAdminCustomer,
  type GraphSubscribedSku,
  type GraphUser,
} from './graph-types';
import { GraphPacer, type Clock } from './pacing';
import type { GraphSettings } from './settings';
import { GraphTransport } from './transport';

export interface GraphClientOptions {
  /** https.Agent for Graph and the identity platform (keep-alive; `ca` for a test CA). */
  agent?: Agent;
  clock?: Clock;
  timeoutMs?: number;
  maxAttempts?: number;
  maxInFlightPerTenant?: number;
  tokens?: TenantTokenSource;
}

export class GraphClient {
  readonly transport: GraphTransport;
  readonly pacer: GraphPacer;
  readonly batch: BatchContext;

  constructor(settings: GraphSettings, options: GraphClientOptions = {}) {
    this.pacer = new GraphPacer(settings.budget, options.clock, options.maxInFlightPerTenant);
    const tokens = options.tokens ?? createTenantTokenSource(settings, { agent: options.agent });
    this.transport = new GraphTransport({
      graphEndpoint: settings.graphEndpoint,
      tokens,
      pacer: this.pacer,
      agent: options.agent,
      clock: options.clock,
      timeoutMs: options.timeoutMs,
      maxAttempts: options.maxAttempts,
    });
    this.batch = { transport: this.transport, pacer: this.pacer, clock: options.clock, maxAttempts: options.maxAttempts };
  }

  /** Every page of users (999 a page, Graph's maximum), each with its licenses and their sources. */
  async *userPages(tenantId: string): AsyncGenerator<GraphUser[]> {
    for await (const page of this.pages<GraphUser>(tenantId, `/v1.0/users?$select=${USER_FIELDS.join(',')}&$top=999`)) {
      yield page.value;
    }
  }

  async listUsers(tenantId: string): Promise<GraphUser[]> {
    const all: GraphUser[] = [];
    for await (const page of this.userPages(tenantId)) all.push(...page);
    return all;
  }

  /** Changes since `deltaLink` (everything when absent); store the returned deltaLink for next time. */
  async usersDelta(tenantId: string, deltaLink?: string): Promise<{ changes: GraphUser[]; deltaLink: string }> {
    const changes: GraphUser[] = [];
    let last: { '@odata.deltaLink'?: string } = {};
    const first = deltaLink ?? `/v1.0/users/delta?$select=${DELTA_FIELDS.join(',')}`;
    for await (const page of this.pages<GraphUser>(tenantId, first, true)) {
      changes.push(...page.value);
      last = page;
    }
    const link = last['@odata.deltaLink'];
    if (!link || !this.transport.onOrigin(link)) throw new GraphReadError('readFailed', { tenantId, message: 'no deltaLink' });
    return { changes, deltaLink: link };
  }

  async subscribedSkus(tenantId: string): Promise<GraphSubscribedSku[]> {
    const all: GraphSubscribedSku[] = [];
    for await (const page of this.pages<GraphSubscribedSku>(tenantId, '/v1.0/subscribedSkus')) all.push(...page.value);
    return all;
  }

  /** One user, fresh; null when Graph says it does not exist. */
  async getUser(tenantId: string, userId: string): Promise<GraphUser | null> {
    const outcome = await this.transport.send(tenantId, {
      method: 'GET',
      url: `/v1.0/users/${encodeURIComponent(userId)}?$select=${USER_FIELDS.join(',')}`,
      writes: 0,
    });
    if (outcome.kind === 'unknown') throw new GraphReadError('unknownOutcome', { tenantId });
    const { status, body } = outcome.response;
    if (status === 404) return null;
    if (status !== 200) throw readError(tenantId, status, body);
    return body as GraphUser;
  }

  /** Many users, fresh, 20 per $batch; a missing user maps to null. */
  async getUsers(tenantId: string, userIds: string[]): Promise<Map<string, GraphUser | null>> {
    const unique = [...new Set(userIds)];
    const results = await runBatches(
      this.batch,
      tenantId,
      unique.map((id, i) => ({ id: String(i), method: 'GET' as const, url: `/users/${encodeURIComponent(id)}?$select=${USER_FIELDS.join(',')}` })),
      false,
    );
    const users = new Map<string, GraphUser | null>();
    unique.forEach((id, i) => {
      const r = results.get(String(i))!;
      if (r.kind !== 'response') throw new GraphReadError('unknownOutcome', { tenantId });
      if (r.status === 404) users.set(id, null);
      else if (r.status === 200) users.set(id, r.body as GraphUser);
      else throw readError(tenantId, r.status, r.body);
    });
    return users;
  }

  /** The partner's GDAP customers, read in the partner's own tenant. */
  async delegatedAdminCustomers(partnerTenantId: string): Promise<GraphDelegatedAdminCustomer[]> {
    const all: GraphDelegatedAdminCustomer[] = [];
    for await (const page of this.pages<GraphDelegatedAdminCustomer>(partnerTenantId, '/v1.0/tenantRelationships/delegatedAdminCustomers')) {
      all.push(...page.value.map(({ id, tenantId, displayName }) => ({ id, tenantId, displayName })));
    }
    return all;
  }

  private async *pages<T>(tenantId: string, first: string, delta = false) {
    let url: string | undefined = first;
    while (url) {
      if (!this.transport.onOrigin(url)) throw new GraphReadError('nextLinkOffOrigin', { tenantId });
      const outcome = await this.transport.send(tenantId, { method: 'GET', url, writes: 0 });
      if (outcome.kind === 'unknown') throw new GraphReadError('unknownOutcome', { tenantId });
      const { status, body } = outcome.response;
      if (delta && status === 410) throw new GraphReadError('deltaExpired', { tenantId, httpStatus: 410 });
      if (status !== 200) throw readError(tenantId, status, body);
      const page = body as { value: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
      yield page;
      url = page['@odata.nextLink'];
    }
  }
}

function readError(tenantId: string, status: number, body: unknown): GraphReadError {
  const e = (body as { error?: { code?: string; message?: string } })?.error;
  return new GraphReadError('readFailed', {
    tenantId,
    httpStatus: status,
    ...(e?.code ? { graphCode: e.code } : {}),
    ...(e?.message ? { message: e.message } : {}),
  });
}
