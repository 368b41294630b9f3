// The licensing service: what the bot (or any other front end) calls. A thin facade: it authorizes
// every call, and hands reads to the queries and changes to the operation runner. How seats stay right
// without transactions is in apply-chunk.ts and store/seat-ledger.ts (README "How seats stay right").
import type { Actor } from './access';
import type { Catalog, Product } from './catalog';
import { parseChangeRequest, permissionsFor, requesterActor, RequestError } from './change-request';
import type { CustomerDirectory, DataFreshness, DirectoryUserRecord, PageMove, SelectionSummary, UserFilter, UserPage } from './directory-port';
import type { Customer, LicenseChangeRequest, ParsedChangeRequest } from './model';
import { OperationRunner, type OperationNotifier, type OperationResult, type Progress, type RunnerOptions } from './operation-runner';
import { predictInParts, type Preview } from './preview';

/** Users read at a time for a preview: a change of 100,000 never holds every user document at once. */
const PREVIEW_PART = 20_000;
import { LicenseQueries, type HistoryPage, type OperationSummary } from './queries';
import type { HistoryAnchor } from './store/operations';
import { operationIdFor, type OperationRepository } from './store/operations';
import type { PartnerRepository } from './store/partner';

export { RequestError, type RequestProblem } from './errors';
export { OperationStillRunningError, RunnerStoppingError, type OperationNotifier, type OperationResult, type Progress } from './operation-runner';
export { LeaseLostError } from './lease';
export { countOutcomes, type Preview } from './preview';
export type { HistoryPage, OperationSummary } from './queries';
export { operationIdFor } from './store/operations';
export type { HistoryAnchor } from './store/operations';

/** What the service runs on: the customer's directory (a port), the operations journal, the partner's data. */
export interface ServiceBackends {
  directory: CustomerDirectory;
  operations: OperationRepository;
  partner: PartnerRepository;
}

export type ServiceOptions = Partial<RunnerOptions>;

export class LicenseService {
  private readonly queries: LicenseQueries;
  private readonly runner: OperationRunner;
  private readonly operations: OperationRepository;
  private readonly directory: CustomerDirectory;

  constructor(backends: ServiceBackends, options: ServiceOptions = {}) {
    this.directory = backends.directory;
    this.queries = new LicenseQueries(backends.directory, backends.operations, backends.partner);
    this.operations = backends.operations;
    // 32 user writes in flight per chunk (the store client's sockets) and three chunks overlapping: on
    // Cosmos DB every request is a network round trip, and one chunk's seat and journal writes would
    // otherwise leave the store idle between chunks (BENCHMARKS.md, "Goals missed, and why").
    const runnerOptions: RunnerOptions = { chunkSize: 100, concurrency: 32, chunksInFlight: 3, staleAfterMs: 60_000, waitForRunningMs: 10 * 60_000, ...options };
    this.runner = new OperationRunner(backends.directory, backends.operations, (c) => this.queries.loadCatalog(c), runnerOptions);
  }

  // ---- reading ---------------------------------------------------------------------------------

  customersFor(actor: Actor): Promise<Customer[]> {
    return this.queries.customersFor(actor);
  }

  customer(actor: Actor, customerKey: string): Promise<Customer> {
    return this.queries.customer(actor, customerKey);
  }

  catalog(actor: Actor, customerKey: string): Promise<Catalog> {
    return this.queries.catalog(actor, customerKey);
  }

  products(actor: Actor, customerKey: string): Promise<Product[]> {
    return this.queries.products(actor, customerKey);
  }

  listUsers(actor: Actor, customerKey: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }): Promise<UserPage> {
    return this.queries.listUsers(actor, customerKey, filter, move, anchor);
  }

  /** For cards: from what the directory last knew, unless `fresh` (Manage licenses shows users as they are now). */
  usersById(actor: Actor, customerKey: string, ids: string[], options: { fresh?: boolean } = {}): Promise<DirectoryUserRecord[]> {
    return this.queries.usersById(actor, customerKey, ids, options);
  }

  /** The known selected users in sort-key order and holders per product (see CustomerDirectory.selectionSummary). */
  selectionSummary(actor: Actor, customerKey: string, selection: { has(id: string): boolean; ids(): string[] }): Promise<SelectionSummary> {
    return this.queries.selectionSummary(actor, customerKey, selection);
  }

  departments(actor: Actor, customerKey: string): Promise<string[]> {
    return this.queries.departments(actor, customerKey);
  }

  summary(actor: Actor, customerKey: string) {
    return this.queries.summary(actor, customerKey);
  }

  countUsers(actor: Actor, customerKey: string, filter: UserFilter): Promise<number> {
    return this.queries.countUsers(actor, customerKey, filter);
  }

  userIdsMatching(actor: Actor, customerKey: string, filter: UserFilter): Promise<string[]> {
    return this.queries.userIdsMatching(actor, customerKey, filter);
  }

  /** Pasted names → users in one pass (see CustomerDirectory.resolveUsers). */
  resolveUsers(actor: Actor, customerKey: string, names: string[]) {
    return this.queries.resolveUsers(actor, customerKey, names);
  }

  /** When the customer's users and products were last read from their source; {} when License Desk is the source. */
  async freshness(actor: Actor, customerKey: string): Promise<DataFreshness> {
    await this.queries.authorize(actor, customerKey, 'view');
    return (await this.directory.freshness?.(customerKey)) ?? {};
  }

  /** Reads the customer's users and products from their source now (the Refresh action). */
  async refresh(actor: Actor, customerKey: string): Promise<DataFreshness> {
    await this.queries.authorize(actor, customerKey, 'view');
    await this.directory.refresh?.(customerKey);
    return (await this.directory.freshness?.(customerKey)) ?? {};
  }

  /** Whether the directory has a source of its own to refresh from (Graph). */
  get hasExternalSource(): boolean {
    return typeof this.directory.refresh === 'function';
  }

  history(actor: Actor, customerKey: string, limit = 10): Promise<OperationSummary[]> {
    return this.queries.history(actor, customerKey, limit);
  }

  /** A page of the customer's changes, newest first; `older` is where the next page starts. */
  historyPage(actor: Actor, customerKey: string, limit: number, anchor?: HistoryAnchor): Promise<HistoryPage> {
    return this.queries.historyPage(actor, customerKey, limit, anchor);
  }

  /**
   * The undo of an operation as a new change request (preview and apply it like any other): each user
   * it changed goes back to what they had, if they still hold what it left them with.
   */
  undoRequest(actor: Actor, customerKey: string, operationId: string, idempotencyKey: string): Promise<LicenseChangeRequest> {
    return this.queries.undoRequest(actor, customerKey, operationId, idempotencyKey);
  }

  async operation(actor: Actor, customerKey: string, operationId: string): Promise<OperationResult | undefined> {
    await this.queries.authorize(actor, customerKey, 'view');
    const op = await this.operations.get(customerKey, operationId);
    // A look-up, not a replay: opened from the history, a result must not say it was saved again.
    return op && this.runner.resultOf(op, false);
  }

  /** The operation a given idempotency key started, if any: lets a retried click answer at once. */
  operationByKey(actor: Actor, customerKey: string, idempotencyKey: string): Promise<OperationResult | undefined> {
    return this.operation(actor, customerKey, operationIdFor(customerKey, idempotencyKey));
  }

  /** A new request for the users an operation failed for, with the same licenses; undefined if none failed. */
  retryRequest(actor: Actor, customerKey: string, operationId: string, idempotencyKey: string): Promise<LicenseChangeRequest | undefined> {
    return this.queries.retryRequest(actor, customerKey, operationId, idempotencyKey);
  }

  // ---- changing --------------------------------------------------------------------------------

  /** The predicted outcome per user and the seat demand per product; writes nothing. */
  async preview(input: LicenseChangeRequest): Promise<Preview> {
    const req = await this.authorizedChange(input);
    const catalog = await this.queries.loadCatalog(req.customerKey);
    return predictInParts(req, catalog, (ids) => this.directory.usersById(req.customerKey, ids), PREVIEW_PART);
  }

  /** Throws as `apply` would for this change (bad request, not allowed), without reading or writing anything else. */
  async checkChange(input: LicenseChangeRequest): Promise<void> {
    await this.authorizedChange(input);
  }

  /**
   * Applies a change. Per user all or nothing; across users, partial success reported user by user.
   * The same idempotency key again returns the recorded result and changes nothing.
   */
  async apply(input: LicenseChangeRequest, onProgress?: (p: Progress) => void, notify?: unknown): Promise<OperationResult> {
    return this.runner.apply(await this.authorizedChange(input), onProgress, notify);
  }

  /**
   * Claims the one chat answer a click gets (see OperationRepository.claimAnswer): true for the first
   * delivery of `claimKey`, false for every other. Authorized like a change.
   */
  async claimAnswer(actor: Actor, customerKey: string, claimKey: string): Promise<boolean> {
    await this.queries.authorize(actor, customerKey, 'view');
    return this.operations.claimAnswer(customerKey, claimKey);
  }

  /** Who tells the admin the end of an operation another process finishes (see OperationNotifier). */
  notifyWith(notifier: OperationNotifier): void {
    this.runner.notifyWith(notifier);
  }

  /** True once `stop` was called: no new change is started here. */
  get stopping(): boolean {
    return this.runner.isStopping;
  }

  /** Graceful stop (SIGTERM): no new change starts; running ones finish their chunk and are left to the next instance. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /**
   * Finishes an operation whose process died (the admin clicked again after a restart). Needs the same
   * permissions as the change itself; a live operation is simply awaited.
   */
  async resume(actor: Actor, customerKey: string, operationId: string, onProgress?: (p: Progress) => void): Promise<OperationResult> {
    const op = await this.operations.get(customerKey, operationId);
    if (!op) throw new RequestError('noSuchOperation', { operationId });
    for (const perm of permissionsFor(op.request)) await this.queries.authorize(actor, customerKey, perm);
    return this.runner.awaitExisting(op, onProgress);
  }

  /** Finishes operations whose process died; returns how many it took over. Run at start-up and by the sweep. */
  recoverInterrupted(options: { staleAfterMs?: number } = {}): Promise<number> {
    return this.runner.recoverInterrupted(options.staleAfterMs);
  }

  private async authorizedChange(input: LicenseChangeRequest): Promise<ParsedChangeRequest> {
    const req = parseChangeRequest(input);
    const actor = requesterActor(req);
    for (const perm of permissionsFor(req)) await this.queries.authorize(actor, req.customerKey, perm);
    return req;
  }
}
