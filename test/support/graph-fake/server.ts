// A Graph-compatible fake over HTTPS on loopback: the identity platform, an App Service managed identity
// endpoint and Graph v1.0, in one server. Records every request with its arrival time, so tests can
// assert that nothing arrived while a Retry-After was running.
// Throttling (429 + Retry-After, also per request inside $batch): https://learn.microsoft.com/graph/throttling
// JSON batching (≤ 20 requests, one response per id): https://learn.microsoft.com/graph/json-batching
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { seedTenant, type FakeTenant } from './directory';
import { graphError, handleGraph, isWrite, type GraphWorld } from './graph-api';
import { instanceDiscovery, managedIdentityToken, openIdConfiguration, tokenEndpoint, type IdentityConfig, type Reply } from './identity';
import { verifyToken } from './tokens';
import { ThrottleBook, type WriteBudgetConfig } from './throttle';

const TLS = join(__dirname, 'tls');
export const TEST_CA = readFileSync(join(TLS, 'ca.pem'));
export const APP_CERTIFICATE_PATH = join(TLS, 'app.pem');

export const IDS = {
  clientId: '3f9a4c2e-6b1d-4e8a-9c7f-2d5e8b1a4c6f',
  secret: 'fake-secret-value~not-a-real-one',
  managedIdentityClientId: '8d2b6e4a-1c3f-4a5b-9e7d-6f1a2c3b4d5e',
  managedIdentityPrincipalId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  contoso: '14fc36d2-5968-54aa-9bcc-1f57d075cff1',
  fabrikam: 'ef98f084-0fd6-533d-9793-27d171527ebb',
  partner: '74d8c4b8-8ad9-5c9d-966b-bc2a1106db91',
  /** A customer tenant that exists but never consented to the app. */
  noConsent: 'b7e1c2d3-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
};

export interface RecordedRequest {
  at: number;
  kind: 'identity' | 'managedIdentity' | 'graph' | 'batchItem';
  tenantId?: string;
  method: string;
  path: string;
  status?: number;
  /** Arrived while a Retry-After this tenant was given was still running. */
  insideRetryAfter?: boolean;
  /** The access token's own id (`uti`): tells apart clients (instances) holding different tokens. */
  tokenId?: string;
}

export interface FakeOptions {
  extraUsers?: Record<string, number>;
  /** Per tenant write budget (sliding window); none = unlimited. */
  budgets?: Record<string, WriteBudgetConfig>;
  deltaPageSize?: number;
  maxUserPageSize?: number;
  customersPageSize?: number;
}

export class GraphFake {
  readonly requests: RecordedRequest[] = [];
  /** TLS connections accepted (keep-alive clients reuse them). */
  connections = 0;
  readonly throttle = new ThrottleBook();
  world!: GraphWorld;
  identity!: IdentityConfig;
  private server?: Server;
  private readonly lose = new Map<string, Set<string>>();
  private readonly stall = new Map<string, Map<string, number>>();
  /** Per tenant: tokens issued at or before this second (iat) are no longer accepted. */
  private readonly tokensEnded = new Map<string, number>();
  private readonly revokeAfter = new Map<string, { left: number; action: () => void }>();

  constructor(private readonly options: FakeOptions = {}) {}

  get origin(): string {
    return this.world.origin;
  }

  tenant(id: string): FakeTenant {
    return this.world.tenants.get(id)!;
  }

  /** The next write for this user is applied, then the connection is dropped without a reply. */
  loseReplyOnce(tenantId: string, userId: string): void {
    if (!this.lose.has(tenantId)) this.lose.set(tenantId, new Set());
    this.lose.get(tenantId)!.add(userId);
  }

  /** The next write for this user is applied, but its reply is held back `ms` (the client times out). */
  stallReplyOnce(tenantId: string, userId: string, ms: number): void {
    if (!this.stall.has(tenantId)) this.stall.set(tenantId, new Map());
    this.stall.get(tenantId)!.set(userId, ms);
  }

  /**
   * A customer's admin removes the app (its service principal, i.e. the consent): new tokens are refused
   * with AADSTS7000229, as for a tenant that never consented. Tokens already issued stay valid for their
   * lifetime (up to about an hour) in Microsoft's service; the fake compresses that hour and ends them
   * now, so Graph answers them 401 InvalidAuthenticationToken as it does an expired token.
   * https://learn.microsoft.com/graph/api/serviceprincipal-delete ; https://learn.microsoft.com/graph/api/oauth2permissiongrant-delete
   */
  revokeConsent(tenantId: string): void {
    this.identity.withoutConsent.add(tenantId);
    this.tokensEnded.set(tenantId, Math.floor(Date.now() / 1000));
  }

  /** Consent granted (again): tokens are issued for the tenant. */
  grantConsent(tenantId: string): void {
    this.identity.withoutConsent.delete(tenantId);
    this.tokensEnded.delete(tenantId);
  }

  /** Consent is revoked right after the tenant's `writes`-th assignLicense (mid-run). */
  revokeConsentAfterWrites(tenantId: string, writes: number): void {
    this.afterWrites(tenantId, writes, () => this.revokeConsent(tenantId));
  }

  /** Runs `action` right after the tenant's `writes`-th assignLicense from now (something changes mid-run). */
  afterWrites(tenantId: string, writes: number, action: () => void): void {
    this.revokeAfter.set(tenantId, { left: writes, action });
  }

  /** Deletes a user, as delta then reports it (@removed). */
  deleteUser(tenantId: string, userId: string): void {
    const t = this.tenant(tenantId);
    t.users.delete(userId);
    for (const s of t.skus) s.consumedUnits = [...t.users.values()].filter((u) => u.licenseAssignmentStates.some((l) => l.skuId === s.skuId)).length;
    t.changeLog.push({ userId, removed: true });
  }

  async start(): Promise<this> {
    this.server = createServer({ key: readFileSync(join(TLS, 'server-key.pem')), cert: readFileSync(join(TLS, 'server.pem')) }, (req, res) => {
      this.handle(req, res).catch((e) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(graphError(500, 'InternalServerError', String(e)).body));
      });
    });
    this.server.on('secureConnection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const origin = `https://localhost:${(this.server.address() as AddressInfo).port}`;
    const contoso = seedTenant('contoso', this.options.extraUsers?.contoso ?? 0);
    const fabrikam = seedTenant('fabrikam', this.options.extraUsers?.fabrikam ?? 0);
    const empty = (id: string): FakeTenant => ({ id, users: new Map(), skus: [], changeLog: [], applied: new Map() });
    this.world = {
      origin,
      tenants: new Map([[contoso.id, contoso], [fabrikam.id, fabrikam], [IDS.partner, empty(IDS.partner)], [IDS.noConsent, empty(IDS.noConsent)]]),
      delegatedAdminCustomers: new Map([[IDS.partner, [
        { id: contoso.id, tenantId: contoso.id, displayName: 'Contoso Ltd.' },
        { id: fabrikam.id, tenantId: fabrikam.id, displayName: 'Fabrikam GmbH' },
        { id: IDS.noConsent, tenantId: IDS.noConsent, displayName: 'Northwind Traders' },
      ]]]),
      uncataloguedSkus: new Set(),
      deltaPageSize: this.options.deltaPageSize ?? 15,
      maxUserPageSize: this.options.maxUserPageSize ?? 999,
      customersPageSize: this.options.customersPageSize ?? 2,
    };
    this.identity = {
      origin,
      app: { clientId: IDS.clientId, secret: IDS.secret, certificatePem: readFileSync(join(TLS, 'app-cert.pem'), 'utf8'), federatedSubject: IDS.managedIdentityPrincipalId },
      managedIdentity: { clientId: IDS.managedIdentityClientId, principalId: IDS.managedIdentityPrincipalId, header: randomUUID() },
      tenants: new Set(this.world.tenants.keys()),
      withoutConsent: new Set([IDS.noConsent]),
    };
    for (const [tenantId, budget] of Object.entries(this.options.budgets ?? {})) this.throttle.setBudget(tenantId, budget);
    return this;
  }

  /** Environment for ManagedIdentityCredential's App Service source. */
  managedIdentityEnv(): Record<string, string> {
    return { IDENTITY_ENDPOINT: `${this.origin}/msi/token`, IDENTITY_HEADER: this.identity.managedIdentity.header };
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  graphRequests(tenantId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'graph' && r.tenantId === tenantId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.origin);
    const at = Date.now();
    const send = (r: Reply, rec: RecordedRequest) => {
      rec.status = r.status;
      this.requests.push(rec);
      res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
      res.end(JSON.stringify(r.body));
    };
    let m: RegExpExecArray | null;
    const base = { at, method: req.method ?? 'GET', path: url.pathname };
    if (url.pathname === '/msi/token') {
      return send(managedIdentityToken(this.identity, url.searchParams, req.headers['x-identity-header'] as string | undefined), { ...base, kind: 'managedIdentity' });
    }
    if (url.pathname === '/common/discovery/instance') return send(instanceDiscovery(this.identity), { ...base, kind: 'identity' });
    if ((m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname))) {
      return send(openIdConfiguration(this.identity, m[1]), { ...base, kind: 'identity', tenantId: m[1] });
    }
    if ((m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname)) && req.method === 'POST') {
      return send(tokenEndpoint(this.identity, m[1], new URLSearchParams(raw)), { ...base, kind: 'identity', tenantId: m[1] });
    }
    if (!url.pathname.startsWith('/v1.0/')) return send(graphError(404, 'NotFound', 'Not found'), { ...base, kind: 'graph' });
    const claims = verifyToken(String(req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!claims || claims.aud !== this.origin || !this.world.tenants.has(claims.tid)) {
      return send(graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'), { ...base, kind: 'graph' });
    }
    const tenant = this.tenant(claims.tid);
    const rec: RecordedRequest = { ...base, kind: 'graph', tenantId: tenant.id, tokenId: String(claims.uti) };
    const ended = this.tokensEnded.get(claims.tid);
    if (ended !== undefined && Number(claims.iat) <= ended) {
      return send(graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.'), rec);
    }
    const blocked = this.throttle.blocked(tenant.id, at);
    if (blocked) return send(this.throttle.reply(tenant.id, at, blocked.status), { ...rec, insideRetryAfter: true });
    const forced = this.throttle.takeForced(tenant.id);
    if (forced) return send(this.throttle.open(tenant.id, at, forced.retryAfterS, forced.status), rec);
    const body = raw ? JSON.parse(raw) : undefined;
    const path = url.pathname.slice('/v1.0'.length);
    const carriesWrite = path === '/$batch'
      ? ((body?.requests ?? []) as { method: string; url: string }[]).some((r) => isWrite(r.method, String(r.url).split('?')[0]))
      : isWrite(req.method ?? 'GET', path);
    const forcedWrite = carriesWrite ? this.throttle.takeForcedWrite(tenant.id) : undefined;
    if (forcedWrite) return send(this.throttle.open(tenant.id, at, forcedWrite.retryAfterS, forcedWrite.status), rec);
    let lost = false;
    let holdMs = 0;
    const one = (method: string, p: string, q: URLSearchParams, b: unknown, kind: RecordedRequest['kind']): Reply => {
      let r: Reply;
      if (isWrite(method, p) && !this.throttle.spend(tenant.id, Date.now())) {
        r = this.throttle.open(tenant.id, Date.now(), this.throttle.secondsUntilRoom(tenant.id, Date.now()), 429);
      } else {
        r = handleGraph(this.world, tenant, method, p, q, b);
        const userId = /^\/users\/([^/]+)\/assignLicense$/.exec(p)?.[1];
        const after = userId ? this.revokeAfter.get(tenant.id) : undefined;
        if (after && --after.left <= 0) {
          this.revokeAfter.delete(tenant.id);
          after.action();
        }
        if (userId && this.lose.get(tenant.id)?.delete(decodeURIComponent(userId))) lost = true;
        const stalled = userId ? this.stall.get(tenant.id)?.get(decodeURIComponent(userId)) : undefined;
        if (stalled) {
          holdMs = Math.max(holdMs, stalled);
          this.stall.get(tenant.id)!.delete(decodeURIComponent(userId!));
        }
      }
      if (kind === 'batchItem') this.requests.push({ at: Date.now(), kind, tenantId: tenant.id, method, path: p, status: r.status, tokenId: rec.tokenId });
      return r;
    };
    let reply: Reply;
    if (path === '/$batch' && req.method === 'POST') {
      const requests = (body?.requests ?? []) as { id: string; method: string; url: string; body?: unknown }[];
      if (!Array.isArray(requests) || requests.length === 0 || requests.length > 20) {
        reply = graphError(400, 'BadRequest', 'Number of batch requests must be between 1 and 20.');
      } else {
        const responses = requests.map((r) => {
          const inner = new URL(r.url, `${this.origin}/v1.0/`);
          const innerPath = r.url.startsWith('/') ? r.url.split('?')[0] : inner.pathname.slice('/v1.0'.length);
          const ir = one(r.method, innerPath, new URLSearchParams(r.url.split('?')[1] ?? ''), r.body, 'batchItem');
          return { id: r.id, status: ir.status, headers: { 'Content-Type': 'application/json', ...(ir.headers ?? {}) }, body: ir.body };
        });
        reply = { status: 200, body: { responses: responses.reverse() } }; // any order, as Graph says
      }
    } else {
      reply = one(req.method ?? 'GET', path, url.searchParams, body, 'graph');
    }
    if (lost) {
      this.requests.push({ ...rec, status: 0 });
      req.socket.destroy();
      return;
    }
    if (holdMs) await new Promise((r) => setTimeout(r, holdMs).unref());
    if (res.destroyed || req.socket.destroyed) {
      this.requests.push({ ...rec, status: 0 });
      return;
    }
    send(reply, rec);
  }
}
