// Microsoft Graph as a customer's directory: the second CustomerDirectory (domain/directory-port.ts).
// Graph is the source of truth; the Cosmos mirror (mirror.ts) serves pages, filters and prediction.
// Users are read fresh before a change is decided, each user's change is one assignLicense (adds and
// removes together) gathered into $batch requests, and Graph's answer is final.
import { Catalog } from '../catalog';
import { log } from '../logging';
import { DirectoryUnreachableError, type CustomerDirectory, type DirectorySummary, type PageMove, type SelectionSummary, type UserFilter, type UserLicenseWrite, type UserPage, type UserWriteOutcome } from '../directory-port';
import { CosmosDirectory } from '../store/cosmos-directory';
import type { NameResolution, NamedEntry } from '../user-resolution';
import { licenseError, type LicenseError } from '../errors';
import type { AssignedLicense } from '../model';
import type { DirectoryRepository, SkuDoc, UserDoc } from '../store/directory';
import type { PartnerRepository } from '../store/partner';
import { CosmosSeatLedger } from '../store/seat-ledger';
import type { GraphClient } from './graph-client';
import type { GraphLicenseError } from './license-errors';
import type { LicenseChange } from './license-writes';
import { fromGraphUser, GraphMirror, licenseKey, type SyncStateDoc } from './mirror';
import { GraphConnectionError, type GraphConnectionErrorCode, type GraphConnectionErrorParams } from './token-errors';
import { LicenseWriteQueue } from './write-queue';

/** A token or consent problem with one customer: the bot names the customer, what is missing and the fix. */
export class CustomerConnectionError extends DirectoryUnreachableError {
  override readonly name = 'CustomerConnectionError';
  constructor(
    readonly code: GraphConnectionErrorCode,
    readonly customer: { key: string; displayName: string },
    readonly params: GraphConnectionErrorParams,
  ) {
    super(customer.key, code, `${customer.displayName}: ${code}`);
  }
}

export interface GraphDirectoryOptions {
  /** A page of users older than this is brought up to date with one delta round first. */
  maxUserAgeMs?: number;
}

/** A user as the Graph directory returns it (`changedOutside` set by a fresh read). */
export type GraphUserDoc = UserDoc;

/** Seats: the Cosmos ledger on the mirrored products (no two License Desk changes promise one seat); Graph has the last word. */
class GraphSeatLedger extends CosmosSeatLedger {
  constructor(repository: DirectoryRepository, private readonly afterSettle: (customerId: string) => Promise<unknown>) {
    super(repository);
  }
  override async settle(customerId: string, key: string, written: Map<string, { added: number; removed: number }>): Promise<void> {
    await super.settle(customerId, key, written);
    // After each chunk: the products as Graph counts them now. Best effort: the seats are settled in
    // the mirror already, and the next read of products (before any apply) asks Graph again.
    await this.afterSettle(customerId).catch((err) => log.warn({ customerId, err }, 'could not re-read products after a chunk'));
  }
}

export class GraphDirectory implements CustomerDirectory<GraphUserDoc> {
  readonly seats: GraphSeatLedger;
  readonly mirror: GraphMirror;
  /** The mirror read as the Cosmos directory reads its own documents. */
  private readonly onMirror: CosmosDirectory;
  private readonly queue: LicenseWriteQueue;
  private readonly maxUserAgeMs: number;
  // No in-process copy of users or products: another instance's apply or sync changes the mirror
  // behind this one's back, so every decision reads the mirror (one point read per user write).

  constructor(
    private readonly client: GraphClient,
    private readonly repository: DirectoryRepository,
    private readonly partner: PartnerRepository,
    options: GraphDirectoryOptions = {},
  ) {
    this.mirror = new GraphMirror(client, repository);
    this.onMirror = new CosmosDirectory(repository);
    this.queue = new LicenseWriteQueue(client);
    this.seats = new GraphSeatLedger(repository, (c) => this.products(c));
    this.maxUserAgeMs = options.maxUserAgeMs ?? 60_000;
  }

  /** Re-read from Graph every time: Manage licenses and every apply see Graph's counts. */
  products(customerId: string): Promise<SkuDoc[]> {
    return this.withTenant(customerId, (tenantId) => this.mirror.refreshProducts(customerId, tenantId));
  }

  async pageUsers(customerId: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }): Promise<UserPage<GraphUserDoc>> {
    await this.ensureFresh(customerId);
    return this.repository.page(customerId, filter, move, anchor);
  }

  async departments(customerId: string): Promise<string[]> {
    await this.ensureFresh(customerId);
    return this.repository.departments(customerId);
  }

  // Counts, select-all and pasted names come from the mirror, as the Cosmos directory serves them.
  async summary(customerId: string): Promise<DirectorySummary> {
    await this.ensureFresh(customerId);
    return this.onMirror.summary(customerId);
  }

  async countUsers(customerId: string, filter: UserFilter): Promise<number> {
    await this.ensureFresh(customerId);
    return this.onMirror.countUsers(customerId, filter);
  }

  async userIdsMatching(customerId: string, filter: UserFilter): Promise<string[]> {
    await this.ensureFresh(customerId);
    return this.onMirror.userIdsMatching(customerId, filter);
  }

  /** From the mirror's page index (a selection of 100,000 is not read from Graph to count its holders). */
  async selectionSummary(customerId: string, selected: { has(id: string): boolean }): Promise<SelectionSummary> {
    await this.ensureFresh(customerId);
    return this.repository.selectionSummary(customerId, selected);
  }

  async resolveUsers(customerId: string, names: string[]): Promise<NameResolution<NamedEntry>[]> {
    await this.ensureFresh(customerId);
    return this.onMirror.resolveUsers(customerId, names);
  }

  /** Fresh from Graph (batched); each flagged when its licenses differ from what License Desk last saw. */
  async usersById(customerId: string, ids: string[], options: { fresh?: boolean } = {}): Promise<Map<string, GraphUserDoc>> {
    await this.ensureFresh(customerId);
    if (options.fresh === false) return this.repository.usersById(customerId, ids);
    const { users, changed, stored } = await this.withTenant(customerId, (tenantId) => this.mirror.refreshUsers(customerId, tenantId, ids));
    // Users changed outside License Desk were written into the mirror: every instance's pages and
    // filters (the page index is tagged with the summary's ETag) read them again.
    if (stored) await this.repository.markChanged(customerId);
    return new Map([...users].map(([id, u]) => [id, changed.has(id) ? { ...u, changedOutside: true } : u]));
  }

  /** Reads users and products from Graph now (the Refresh action, `npm run sync`). */
  async refresh(customerId: string): Promise<SyncStateDoc> {
    const state = await this.withTenant(customerId, (tenantId) => this.mirror.sync(customerId, tenantId));
    await this.products(customerId);
    return state;
  }

  /** When users and products were last read from Graph. */
  async freshness(customerId: string): Promise<{ usersReadAt?: string; productsReadAt?: string }> {
    const state = await this.mirror.syncState(customerId);
    return { usersReadAt: state?.usersReadAt, productsReadAt: state?.productsReadAt };
  }

  async applyUserChange({ customerId, user, mark, fence }: UserLicenseWrite<GraphUserDoc>): Promise<UserWriteOutcome<GraphUserDoc>> {
    // The mirror as it is now, not as this process last saw it: another instance may have written this user since.
    const mirrored = await this.repository.user(customerId, user.id);
    // This very write, repeated (after a crash or a lost reply): it is done.
    if (mirrored?.licenseChanges?.some((m) => m.operationId === mark.operationId && m.reservationKey === mark.reservationKey)) return { status: 'applied', user: mirrored };
    // Decided on licenses the user no longer holds (the mirror has what Graph said last): decide again.
    if (!mirrored || licenseKey(mirrored) !== licenseKey(user)) return { status: 'changedSince' };
    // The fence goes with the write: the queue checks it right before each attempt goes on the wire.
    const change = { ...licenseChange(user.id, mark.after, mark.added, mark.updated, mark.removed), ...(fence ? { fence } : {}) };
    const settled = await this.withTenant(customerId, (tenantId) => this.queue.write(tenantId, change));
    if (settled.status === 'failed') return { status: 'rejected', error: await this.licenseErrorFor(customerId, settled.outcome.error, user.id) };
    if (settled.status === 'notApplied') {
      const now = settled.user && fromGraphUser(settled.user);
      if (!now) return { status: 'rejected', error: licenseError('userNotFound', { userId: user.id }) };
      // Not applied: the mirror takes what Graph holds now, and the runner reads again and decides on it.
      await this.mirror.storeUser(customerId, now, mirrored);
      return { status: 'changedSince' };
    }
    const answered = fromGraphUser(settled.user);
    // Graph's assignLicense answer may leave out licenses: what was written stands in for them.
    const after = answered && settled.user.assignedLicenses ? answered : { ...(answered ?? user), assignedLicenses: mark.after, licenseAssignmentStates: statesAfter(user, mark.after) };
    return { status: 'applied', user: await this.mirror.recordWrite(customerId, after, mirrored, mark) };
  }

  /** Mirror writes go into the page index as they are made; a takeover's found users are appended again. */
  indexWritten(customerId: string, alsoUsers: GraphUserDoc[]): Promise<void> {
    return this.repository.flushIndex(customerId, alsoUsers);
  }

  private async ensureFresh(customerId: string): Promise<void> {
    const state = await this.mirror.syncState(customerId);
    if (state && Date.now() - Date.parse(state.usersReadAt) < this.maxUserAgeMs) return;
    await this.withTenant(customerId, (tenantId) => this.mirror.sync(customerId, tenantId));
  }

  /** Runs a Graph call for the customer's tenant; a token problem becomes a CustomerConnectionError naming it. */
  private async withTenant<T>(customerId: string, work: (tenantId: string) => Promise<T>): Promise<T> {
    const customer = (await this.partner.customers()).find((c) => c.key === customerId);
    // Gone from the customers offered (with GDAP: its relationship ended, even mid-change): named, with the fix.
    if (!customer) throw (await this.partner.whyMissing(customerId)) ?? new Error(`No customer "${customerId}" in partner.json.`);
    try {
      return await work(customer.tenantId);
    } catch (err) {
      if (err instanceof GraphConnectionError) throw new CustomerConnectionError(err.code, { key: customer.key, displayName: customer.displayName }, err.params);
      throw err;
    }
  }

  /** Graph's refusal as the domain's code, with the products and plans named as the cards name them. */
  private async licenseErrorFor(customerId: string, e: GraphLicenseError, userId: string): Promise<LicenseError> {
    const catalog = new Catalog(await this.repository.skus(customerId), await this.partner.rules());
    const plan = (id?: string) => {
      const sku = catalog.skus.find((s) => s.servicePlans.some((p) => p.servicePlanId === id));
      return { plan: sku?.servicePlans.find((p) => p.servicePlanId === id)?.servicePlanName ?? id ?? '', product: sku ? catalog.displayName(sku.skuId) : '' };
    };
    const product = e.params.skuId ? catalog.displayName(e.params.skuId) : '';
    const [a, b] = (e.params.servicePlanIds ?? []).map(plan);
    switch (e.code) {
      case 'countViolation':
        return licenseError('countViolation', { product, available: 0, needed: 1 }, e.params.skuId);
      case 'usageLocationMissing':
        return licenseError('usageLocationMissing', {});
      case 'mutuallyExclusiveViolation':
        return licenseError('mutuallyExclusiveViolation', { planA: a?.plan ?? '', productA: a?.product ?? '', planB: b?.plan ?? '', productB: b?.product ?? '' });
      case 'dependencyViolation':
        return licenseError('dependencyViolation', { direction: 'needs', product: a?.product || a?.plan || '', anyOfPlans: [b?.plan ?? ''], inProducts: b?.product ? [b.product] : [] });
      case 'unknownSku':
        return licenseError('unknownSku', { skuId: e.params.skuId ?? '' });
      case 'inheritedFromGroup':
        return licenseError('inheritedFromGroup', { product: product || 'This product', groups: [] }, e.params.skuId);
      case 'userNotFound':
        return licenseError('userNotFound', { userId });
      case 'permissionMissing':
        return licenseError('permissionMissing', { httpStatus: e.params.httpStatus });
      default:
        // A rule License Desk does not know: Graph's own words, verbatim.
        return licenseError('other', { message: e.params.message || `HTTP ${e.params.httpStatus}${e.params.graphCode ? ` ${e.params.graphCode}` : ''}`, httpStatus: e.params.httpStatus });
    }
  }
}

/** One assignLicense: products added or with changed plans in addLicenses, removed ones in removeLicenses. */
export function licenseChange(userId: string, after: AssignedLicense[], added: string[], updated: string[], removed: string[]): LicenseChange {
  const sending = new Set([...added, ...updated]);
  return {
    userId,
    addLicenses: after.filter((l) => sending.has(l.skuId)).map((l) => ({ skuId: l.skuId, disabledPlans: l.disabledPlans })),
    removeLicenses: removed,
  };
}

/** The group-inherited states stay; the direct ones are what was written. */
function statesAfter(user: GraphUserDoc, after: AssignedLicense[]) {
  const groups = (user.licenseAssignmentStates ?? []).filter((s) => s.assignedByGroup);
  return [...groups, ...after.filter((l) => !groups.some((g) => g.skuId === l.skuId)).map((l) => ({ ...l, assignedByGroup: null }))];
}
