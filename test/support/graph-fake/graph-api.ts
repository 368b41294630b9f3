// The fake's Graph v1.0 resources (one request, already authenticated to a tenant).
// users + $select/$top/@odata.nextLink: https://learn.microsoft.com/graph/api/user-list , https://learn.microsoft.com/graph/paging
// users/delta + @odata.deltaLink + @removed: https://learn.microsoft.com/graph/api/user-delta , https://learn.microsoft.com/graph/delta-query-overview
// subscribedSkus: https://learn.microsoft.com/graph/api/subscribedsku-list
// user get: https://learn.microsoft.com/graph/api/user-get ; assignLicense: https://learn.microsoft.com/graph/api/user-assignlicense
// delegatedAdminCustomers: https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadmincustomers
// error bodies: https://learn.microsoft.com/graph/errors#json-representation
import { randomUUID } from 'node:crypto';
import { asGraphUser, assignLicense, FakeLicenseError, type FakeTenant } from './directory';
import type { Reply } from './identity';

export interface GraphWorld {
  origin: string;
  tenants: Map<string, FakeTenant>;
  /** Per partner tenant: its GDAP customers. */
  delegatedAdminCustomers: Map<string, { id: string; tenantId: string; displayName: string }[]>;
  uncataloguedSkus: Set<string>;
  deltaPageSize: number;
  /** Graph may return fewer users a page than $top asks for (server-side paging). */
  maxUserPageSize: number;
  customersPageSize: number;
}

export function graphError(status: number, code: string, message: string, clientRequestId?: string): Reply {
  const id = randomUUID();
  return {
    status,
    body: { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': id, 'client-request-id': clientRequestId ?? id } } },
  };
}

const token = (n: number) => Buffer.from(String(n)).toString('base64url');
const untoken = (t: string | null) => (t ? Number(Buffer.from(t, 'base64url').toString('utf8')) || 0 : 0);

function select(user: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (!fields) return user;
  const out: Record<string, unknown> = { id: user.id };
  for (const f of fields.split(',')) if (f in user) out[f] = user[f];
  return out;
}

function list(world: GraphWorld, path: string, q: URLSearchParams, items: unknown[], pageSize: number, extra: Record<string, unknown> = {}): Reply {
  const from = untoken(q.get('$skiptoken'));
  const value = items.slice(from, from + pageSize);
  const next = new URLSearchParams(q);
  next.set('$skiptoken', token(from + pageSize));
  const more = from + pageSize < items.length;
  return {
    status: 200,
    body: {
      '@odata.context': `${world.origin}/v1.0/$metadata#${path.slice(1)}`,
      value,
      ...(more ? { '@odata.nextLink': `${world.origin}/v1.0${path}?${next.toString()}` } : extra),
    },
  };
}

function delta(world: GraphWorld, t: FakeTenant, q: URLSearchParams): Reply {
  const fields = q.get('$select');
  const since = q.get('$deltatoken');
  let items: unknown[];
  if (since === null) {
    items = [...t.users.values()].map((u) => select(asGraphUser(u), fields));
  } else {
    const from = untoken(since);
    if (from > t.changeLog.length) return graphError(410, 'SyncStateNotFound', 'The sync state generation is not found. Re-sync.');
    const latest = new Map<string, boolean>();
    for (const c of t.changeLog.slice(from)) latest.set(c.userId, !!c.removed);
    items = [...latest].map(([id, removed]) =>
      removed ? { id, '@removed': { reason: 'changed' } } : select(asGraphUser(t.users.get(id)!), fields),
    );
  }
  const base = new URLSearchParams();
  if (fields) base.set('$select', fields);
  if (since !== null) base.set('$deltatoken', since);
  for (const [k, v] of q) if (k === '$skiptoken') base.set(k, v);
  const deltaLink = new URLSearchParams();
  if (fields) deltaLink.set('$select', fields);
  deltaLink.set('$deltatoken', token(t.changeLog.length));
  return list(world, '/users/delta', base, items, world.deltaPageSize, { '@odata.deltaLink': `${world.origin}/v1.0/users/delta?${deltaLink}` });
}

/** One Graph request for tenant `t`; `path` is below /v1.0. */
export function handleGraph(world: GraphWorld, t: FakeTenant, method: string, path: string, q: URLSearchParams, body: unknown): Reply {
  let m: RegExpExecArray | null;
  if (method === 'GET' && path === '/users') {
    const top = Math.min(Number(q.get('$top') ?? 100), 999, world.maxUserPageSize);
    if (!(top > 0)) return graphError(400, 'Request_BadRequest', "Invalid value for '$top' query parameter.");
    const users = [...t.users.values()].map((u) => select(asGraphUser(u), q.get('$select')));
    return list(world, '/users', q, users, top);
  }
  if (method === 'GET' && path === '/users/delta') return delta(world, t, q);
  if (method === 'GET' && path === '/subscribedSkus') {
    return { status: 200, body: { '@odata.context': `${world.origin}/v1.0/$metadata#subscribedSkus`, value: t.skus } };
  }
  if (method === 'GET' && path === '/tenantRelationships/delegatedAdminCustomers') {
    return list(world, path, q, world.delegatedAdminCustomers.get(t.id) ?? [], world.customersPageSize);
  }
  if ((m = /^\/users\/([^/]+)\/assignLicense$/.exec(path)) && method === 'POST') {
    try {
      const user = assignLicense(t, decodeURIComponent(m[1]), body as never, world.uncataloguedSkus);
      return { status: 200, body: { '@odata.context': `${world.origin}/v1.0/$metadata#users/$entity`, ...asGraphUser(user) } };
    } catch (e) {
      if (e instanceof FakeLicenseError) return graphError(e.status, e.graphCode, e.message);
      throw e;
    }
  }
  if ((m = /^\/users\/([^/]+)$/.exec(path)) && method === 'GET') {
    const id = decodeURIComponent(m[1]);
    const user = t.users.get(id) ?? [...t.users.values()].find((u) => u.userPrincipalName === id);
    if (!user) return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    return { status: 200, body: select(asGraphUser(user), q.get('$select')) };
  }
  return graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/')[1] ?? ''}'.`);
}

/** True when the request is an identity write that counts against the write budget. */
export const isWrite = (method: string, path: string) => method === 'POST' && /\/assignLicense$/.test(path);
