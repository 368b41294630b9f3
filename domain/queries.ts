// Authorized reads: every call checks who is asking against the partner's admins and their customers
// first, then reads the directory or the operations journal.
import { authorize, customersInScope, findAdmin, requesterOf, AccessDeniedError, type Actor, type Permission } from './access';
import { RequestError } from './errors';
import { Catalog, type Product } from './catalog';
import { FIRST_NAMES_SHOWN, type CustomerDirectory, type DirectorySummary, type DirectoryUserRecord, type PageMove, type SelectionSummary, type UserFilter, type UserPage } from './directory-port';
import { summarizeResolutions, type NamedEntry, type PastedListResolution } from './user-resolution';
import type { Customer, LicenseChangeRequest } from './model';
import type { HistoryAnchor, OperationRepository, OutcomeCounts } from './store/operations';
import { restrictUndo, undoRequestFor } from './undo';
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
  /** An undo: the change it undid. */
  undoOf?: { operationId: string; createdAt: string };
}

/** A page of the history, and where the next (older) one starts, if there are more. */
export interface HistoryPage {
  operations: OperationSummary[];
  older?: HistoryAnchor;
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
    if (!customer) {
      const why = await this.partner.whyMissing(customerKey);
      // Said only to an admin who may act on that customer; to anyone else it does not exist.
      if (why) authorize(partner, actor, customerKey, permission);
      throw why ?? new RequestError('noSuchCustomer', { customerKey });
    }
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
    const found = await this.directory.usersById(customerKey, ids, { fresh: options.fresh ?? false, forDisplay: true });
    return ids.map((id) => found.get(id)).filter((u): u is DirectoryUserRecord => !!u);
  }

  /**
   * The known selected users in sort-key order and holders per product, without reading 100,000 user
   * documents where the directory can tell (its page index); otherwise from the users (mirror is fine).
   */
  async selectionSummary(actor: Actor, customerKey: string, selection: { has(id: string): boolean; ids(): string[] }): Promise<SelectionSummary> {
    await this.authorize(actor, customerKey, 'view');
    if (this.directory.selectionSummary) return this.directory.selectionSummary(customerKey, selection);
    const users = [...(await this.directory.usersById(customerKey, selection.ids(), { fresh: false })).values()].sort((a, b) => a.sortKey.localeCompare(b.sortKey));
    const holders: Record<string, number> = {};
    for (const u of users) for (const l of u.assignedLicenses) holders[l.skuId] = (holders[l.skuId] ?? 0) + 1;
    return { ids: users.map((u) => u.id), holders, firstNames: users.slice(0, FIRST_NAMES_SHOWN).map((u) => u.displayName) };
  }

  async departments(actor: Actor, customerKey: string): Promise<string[]> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.departments(customerKey);
  }

  async summary(actor: Actor, customerKey: string): Promise<DirectorySummary> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.summary(customerKey);
  }

  async countUsers(actor: Actor, customerKey: string, filter: UserFilter): Promise<number> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.countUsers(customerKey, filter);
  }

  /** Every user matching a filter, by id in sort-key order: "select all N matching". */
  async userIdsMatching(actor: Actor, customerKey: string, filter: UserFilter): Promise<string[]> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.userIdsMatching(customerKey, filter);
  }

  /** A pasted list of names resolved in one pass: found users (each once), ambiguous and unknown names. */
  async resolveUsers(actor: Actor, customerKey: string, names: string[]): Promise<PastedListResolution<NamedEntry>> {
    await this.authorize(actor, customerKey, 'view');
    return summarizeResolutions(await this.directory.resolveUsers(customerKey, names));
  }

  async history(actor: Actor, customerKey: string, limit = 10): Promise<OperationSummary[]> {
    return (await this.historyPage(actor, customerKey, limit)).operations;
  }

  /** `limit` operations from `anchor` on (newest first), and the anchor of the older ones after them. */
  async historyPage(actor: Actor, customerKey: string, limit: number, anchor?: HistoryAnchor): Promise<HistoryPage> {
    await this.authorize(actor, customerKey, 'view');
    const rows = await this.operations.recent(customerKey, limit + 1, anchor);
    const shown = rows.slice(0, limit);
    const last = shown[shown.length - 1];
    // The next page starts at the last one shown; those of its very instant shown so far are skipped.
    const older = rows.length > limit && last
      ? { before: last.createdAt, shown: [...(anchor && anchor.before === last.createdAt ? anchor.shown : []), ...shown.filter((r) => r.createdAt === last.createdAt).map((r) => r.id)] }
      : undefined;
    const operations = shown.map((r) => ({
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
      undoOf: r.undoOf,
    }));
    return { operations, older };
  }

  /** The undo of an operation (a new change request); RequestError when it cannot be undone. */
  async undoRequest(actor: Actor, customerKey: string, operationId: string, idempotencyKey: string): Promise<LicenseChangeRequest> {
    await this.authorize(actor, customerKey, 'view');
    const op = await this.operations.get(customerKey, operationId);
    if (!op) throw new RequestError('noSuchOperation', { operationId });
    return undoRequestFor(op, await this.operations.results(op), requesterOf(actor), idempotencyKey);
  }

  /** A new request for the users an operation failed for, with the same licenses; undefined if none failed. */
  async retryRequest(actor: Actor, customerKey: string, operationId: string, idempotencyKey: string): Promise<LicenseChangeRequest | undefined> {
    await this.authorize(actor, customerKey, 'view');
    const op = await this.operations.get(customerKey, operationId);
    if (!op) return undefined;
    const failed = (await this.operations.results(op)).filter((r) => r.status === 'failed').map((r) => r.userId);
    if (!failed.length) return undefined;
    const { idempotencyKey: _key, requestedBy: _by, ...same } = op.request;
    // An undo's targets are per user: keep those of the failed users only.
    return { ...restrictUndo(same, failed), idempotencyKey, requestedBy: requesterOf(actor) };
  }
}
