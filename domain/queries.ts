// Authorized reads: every call checks who is asking against the partner's admins and their customers
// first, then reads the directory or the operations journal.
import { authorize, customersInScope, findAdmin, requesterOf, AccessDeniedError, type Actor, type Permission } from './access';
import { RequestError } from './errors';
import { Catalog, type Product } from './catalog';
import type { CustomerDirectory, DirectoryUserRecord, PageMove, UserFilter, UserPage } from './directory-port';
import type { Customer, LicenseChangeRequest } from './model';
import type { OperationRepository, OutcomeCounts } from './store/operations';
import type { PartnerRepository } from './store/partner';

export interface OperationSummary {
  operationId: string;
  status: 'running' | 'completed';
  createdAt: string;
  completedAt?: string;
  requestedBy: { displayName: string };
  mode: string;
  assigned: string[];
  removed: string[];
  userCount: number;
  counts: OutcomeCounts;
}

export class LicenseQueries {
  constructor(
    private readonly directory: CustomerDirectory,
    private readonly operations: OperationRepository,
    private readonly partner: PartnerRepository,
  ) {}

  /** The admin allowed `permission` on the customer, and the customer; throws AccessDeniedError or RequestError. */
  async authorize(actor: Actor, customerKey: string, permission: Permission) {
    const partner = await this.partner.partner();
    const customer = (await this.partner.customers()).find((c) => c.key === customerKey);
    if (!customer) throw new RequestError('noSuchCustomer', { customerKey });
    const admin = authorize(partner, actor, customerKey, permission);
    return { admin, customer };
  }

  async customersFor(actor: Actor): Promise<Customer[]> {
    const partner = await this.partner.partner();
    const admin = findAdmin(partner, actor);
    if (!admin) throw new AccessDeniedError('unknownAdmin', { partner: partner.partner.displayName });
    return customersInScope(admin, await this.partner.customers());
  }

  async customer(actor: Actor, customerKey: string): Promise<Customer> {
    return (await this.authorize(actor, customerKey, 'view')).customer;
  }

  async catalog(actor: Actor, customerKey: string): Promise<Catalog> {
    await this.authorize(actor, customerKey, 'view');
    return this.loadCatalog(customerKey);
  }

  /** The customer's products with the partner's rules (no authorization: callers have checked). */
  async loadCatalog(customerKey: string): Promise<Catalog> {
    const [skus, rules] = await Promise.all([this.directory.products(customerKey), this.partner.rules()]);
    return new Catalog(skus, rules);
  }

  async products(actor: Actor, customerKey: string): Promise<Product[]> {
    return (await this.catalog(actor, customerKey)).userProducts();
  }

  async listUsers(actor: Actor, customerKey: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }): Promise<UserPage> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.pageUsers(customerKey, filter, move, anchor);
  }

  /** The users among `ids` that exist, in the order of `ids`. */
  async usersById(actor: Actor, customerKey: string, ids: string[], options: { fresh?: boolean } = {}): Promise<DirectoryUserRecord[]> {
    await this.authorize(actor, customerKey, 'view');
    const found = await this.directory.usersById(customerKey, ids, { fresh: options.fresh ?? false });
    return ids.map((id) => found.get(id)).filter((u): u is DirectoryUserRecord => !!u);
  }

  async departments(actor: Actor, customerKey: string): Promise<string[]> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.departments(customerKey);
  }

  async history(actor: Actor, customerKey: string, limit = 10): Promise<OperationSummary[]> {
    await this.authorize(actor, customerKey, 'view');
    const rows = await this.operations.recent(customerKey, limit);
    return rows.map((r) => ({
      operationId: r.id,
      status: r.status,
      createdAt: r.createdAt,
      completedAt: r.completedAt,
      requestedBy: r.requestedBy,
      mode: r.mode,
      assigned: (r.licensesToAssign ?? []).map((l) => l.skuId),
      removed: r.licensesToRemove ?? [],
      userCount: r.userCount,
      counts: r.counts,
    }));
  }

  /** A new request for the users an operation failed for, with the same licenses; undefined if none failed. */
  async retryRequest(actor: Actor, customerKey: string, operationId: string, idempotencyKey: string): Promise<LicenseChangeRequest | undefined> {
    await this.authorize(actor, customerKey, 'view');
    const op = await this.operations.get(customerKey, operationId);
    if (!op) return undefined;
    const failed = (await this.operations.results(op)).filter((r) => r.status === 'failed').map((r) => r.userId);
    if (!failed.length) return undefined;
    const { userIds: _all, idempotencyKey: _key, requestedBy: _by, ...same } = op.request;
    return { ...same, userIds: failed, idempotencyKey, requestedBy: requesterOf(actor) };
  }
}
