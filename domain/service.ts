// The licensing service: what the bot (or any other front end) calls. It authorizes every call,
// predicts (preview) and applies (apply) bulk license changes with per-user results.
//
// How seats stay right without cross-document transactions (the emulator has none, and Cosmos has
// them only inside one partition key):
//   1. Users are processed in chunks. Before a chunk writes any user, it reserves the seats it needs
//      on each product's counter (ETag read-modify-write): consumedUnits grows first, so no seat is
//      ever promised twice and consumedUnits never passes prepaidUnits.enabled.
//   2. Each user is one document write (IfMatch): all of a user's adds and removes land together.
//      The write carries a mark (operation id + reservation key) saying what it did.
//   3. The chunk settles: unused reserved seats and removed seats go back, the reservation is deleted
//      in the same write, so settling twice is impossible.
// A crash leaves reservations and marks behind; recovery settles them from the marks and finishes
// the remaining chunks. At rest, consumedUnits equals the number of holders.
import { randomUUID } from 'node:crypto';
import { authorize, customersInScope, findAdmin, requesterOf, type Actor, type Permission, AccessDeniedError } from './access';
import { Catalog, type Product } from './catalog';
import { licenseError, RequestError } from './errors';
import { licenseChangeRequestSchema, type Customer, type DirectoryUser, type LicenseChangeRequest, type ParsedChangeRequest } from './model';
import { allocateSeats, evaluateUserChange, seatsAskedFor, type UserChangePlan } from './rules';
import type { CosmosStore } from './store/cosmos';
import { mapLimit } from './store/cosmos';
import { DirectoryRepository, MAX_LICENSE_MARKS, toUserDoc, type LicenseChangeMark, type PageMove, type SkuDoc, type UserDoc, type UserFilter, type UserPage } from './store/directory';
import { OperationRepository, operationIdFor, type OperationDoc, type OutcomeCounts, type SeatDemand } from './store/operations';
import { PartnerRepository } from './store/partner';

export interface Preview {
  customerKey: string;
  results: UserChangePlan[];
  counts: OutcomeCounts;
  seatDemand: SeatDemand[];
}

export interface OperationResult extends Preview {
  operationId: string;
  status: 'running' | 'completed';
  requestedBy: ParsedChangeRequest['requestedBy'];
  createdAt: string;
  completedAt?: string;
  /** True when this call found the operation already recorded (same idempotency key) and changed nothing. */
  replayed: boolean;
  /** Running, but its process stopped beating: `apply` with the same key takes it over and finishes it. */
  stale: boolean;
}

export interface Progress {
  operationId: string;
  processed: number;
  total: number;
  counts: OutcomeCounts;
}

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

export { RequestError };

export class OperationStillRunningError extends Error {
  readonly code = 'stillRunning';
  constructor(readonly operationId: string) {
    super(`Operation ${operationId} is still running.`);
  }
}

/** Thrown by the fault-injection hook to stand for a process dying mid-way (tests only). */
export class SimulatedCrash extends Error {}

export interface ServiceOptions {
  /** Users per chunk: one seat reservation per product and one results document per chunk. */
  chunkSize?: number;
  /** User writes in flight at once. */
  concurrency?: number;
  /** A running operation whose heartbeat is older than this is taken over by recovery. */
  staleAfterMs?: number;
  /** How long `apply` waits for another caller's run of the same idempotency key. */
  waitForRunningMs?: number;
  /** Tests: die after this many user writes, as a crashed process would. */
  crashAfterUserWrites?: number;
}

export const MAX_USERS_PER_REQUEST = 20_000;
const now = () => new Date().toISOString();
const emptyCounts = (): OutcomeCounts => ({ succeeded: 0, failed: 0, noChange: 0 });

export function countOutcomes(results: UserChangePlan[]): OutcomeCounts {
  const counts = emptyCounts();
  for (const r of results) counts[r.status]++;
  return counts;
}

export class LicenseService {
  readonly directory: DirectoryRepository;
  readonly operations: OperationRepository;
  readonly partner: PartnerRepository;
  private readonly instanceId = randomUUID();
  private readonly options: Required<Omit<ServiceOptions, 'crashAfterUserWrites'>> & Pick<ServiceOptions, 'crashAfterUserWrites'>;
  private userWrites = 0;
  /** Operations this process is running: never "stale" to itself, whatever their heartbeat says. */
  private readonly runningHere = new Set<string>();
  private crashed = false;

  constructor(store: Pick<CosmosStore, 'containers'>, options: ServiceOptions = {}) {
    this.directory = new DirectoryRepository(store.containers.directory);
    this.operations = new OperationRepository(store.containers.operations);
    this.partner = new PartnerRepository(store.containers.partner);
    this.options = { chunkSize: 100, concurrency: 8, staleAfterMs: 60_000, waitForRunningMs: 10 * 60_000, ...options };
  }

  // ---- reading ---------------------------------------------------------------------------------

  private async authorize(actor: Actor, customerKey: string, permission: Permission) {
    const partner = await this.partner.partner();
    const customer = (await this.partner.customers()).find((c) => c.key === customerKey);
    if (!customer) throw new RequestError('noSuchCustomer', { customerKey });
    const admin = authorize(partner, actor, customerKey, permission);
    return { admin, customer };
  }

  /** The admin's identity and role, or undefined for someone who is not one of the partner's admins. */
  async whoIs(actor: Actor) {
    const partner = await this.partner.partner();
    const admin = findAdmin(partner, actor);
    return admin && { admin, role: partner.roles[admin.role] };
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

  private async loadCatalog(customerKey: string): Promise<Catalog> {
    const [skus, rules] = await Promise.all([this.directory.skus(customerKey), this.partner.rules()]);
    return new Catalog(skus, rules);
  }

  async products(actor: Actor, customerKey: string): Promise<Product[]> {
    return (await this.catalog(actor, customerKey)).userProducts();
  }

  async listUsers(actor: Actor, customerKey: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }): Promise<UserPage> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.page(customerKey, filter, move, anchor);
  }

  async usersById(actor: Actor, customerKey: string, ids: string[]): Promise<UserDoc[]> {
    await this.authorize(actor, customerKey, 'view');
    const found = await this.directory.usersById(customerKey, ids);
    return ids.map((id) => found.get(id)).filter((u): u is UserDoc => !!u);
  }

  async departments(actor: Actor, customerKey: string): Promise<string[]> {
    await this.authorize(actor, customerKey, 'view');
    return this.directory.departments(customerKey);
  }

  async history(actor: Actor, customerKey: string, limit = 10): Promise<OperationSummary[]> {
    await this.authorize(actor, customerKey, 'view');
    const rows = (await this.operations.recent(customerKey, limit)) as unknown as Record<string, never>[];
    return rows.map((r) => ({
      operationId: r.id,
      status: r.status,
      createdAt: r.createdAt,
      completedAt: r.completedAt,
      requestedBy: r.requestedBy,
      mode: r.mode,
      assigned: ((r.licensesToAssign as unknown as { skuId: string }[]) ?? []).map((l) => l.skuId),
      removed: (r.licensesToRemove as unknown as string[]) ?? [],
      userCount: r.userCount,
      counts: r.counts,
    }));
  }

  async operation(actor: Actor, customerKey: string, operationId: string): Promise<OperationResult | undefined> {
    await this.authorize(actor, customerKey, 'view');
    const op = await this.operations.get(customerKey, operationId);
    return op && this.resultOf(op, true);
  }

  /** The operation a given idempotency key started, if any: lets a retried click answer at once. */
  async operationByKey(actor: Actor, customerKey: string, idempotencyKey: string): Promise<OperationResult | undefined> {
    return this.operation(actor, customerKey, operationIdFor(customerKey, idempotencyKey));
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

  /**
   * Finishes an operation whose process died (the admin clicked again after a restart). Needs the same
   * permissions as the change itself; a live operation is simply awaited.
   */
  async resume(actor: Actor, customerKey: string, operationId: string, onProgress?: (p: Progress) => void): Promise<OperationResult> {
    const op = await this.operations.get(customerKey, operationId);
    if (!op) throw new RequestError('noSuchOperation', { operationId });
    for (const perm of this.permissionsFor(op.request)) await this.authorize(actor, customerKey, perm);
    return this.awaitExisting(op, onProgress);
  }

  // ---- changing --------------------------------------------------------------------------------

  private parse(input: LicenseChangeRequest): ParsedChangeRequest {
    const parsed = licenseChangeRequestSchema.safeParse(input);
    if (!parsed.success) throw new RequestError('invalidChange', { details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const req = parsed.data;
    if (req.userIds.length > MAX_USERS_PER_REQUEST) throw new RequestError('tooManyUsers', { max: MAX_USERS_PER_REQUEST });
    if (req.mode === 'remove' && !req.licensesToRemove.length) throw new RequestError('nothingToRemove');
    if (req.mode === 'add' && !req.licensesToAssign.length && !req.licensesToRemove.length) throw new RequestError('nothingToChange');
    const overlap = req.licensesToAssign.find((l) => req.licensesToRemove.includes(l.skuId));
    if (overlap) throw new RequestError('assignedAndRemoved', { skuId: overlap.skuId });
    return { ...req, userIds: [...new Set(req.userIds)] };
  }

  private permissionsFor(req: ParsedChangeRequest): Permission[] {
    const perms: Permission[] = ['view'];
    if (req.licensesToAssign.length) perms.push('assign');
    if (req.licensesToRemove.length || req.mode === 'replace') perms.push('revoke');
    return perms;
  }

  private async authorizeChange(req: ParsedChangeRequest) {
    const actor: Actor = { aadObjectId: req.requestedBy.aadObjectId, userId: req.requestedBy.userId, displayName: req.requestedBy.displayName };
    for (const perm of this.permissionsFor(req)) await this.authorize(actor, req.customerKey, perm);
  }

  /** The predicted outcome per user and the seat demand per product; writes nothing. */
  async preview(input: LicenseChangeRequest): Promise<Preview> {
    const req = this.parse(input);
    await this.authorizeChange(req);
    const catalog = await this.loadCatalog(req.customerKey);
    return this.predict(req, catalog);
  }

  private async predict(req: ParsedChangeRequest, catalog: Catalog, users?: Map<string, UserDoc>): Promise<Preview> {
    users ??= await this.directory.usersById(req.customerKey, req.userIds);
    const evaluated = req.userIds.map((id) => evaluateUserChange(users.get(id), id, req, catalog));
    const available = new Map(catalog.skus.map((s) => [s.skuId, Math.max(0, s.prepaidUnits.enabled - s.consumedUnits)]));
    const asked = seatsAskedFor(evaluated);
    const seatDemand: SeatDemand[] = [...asked].map(([skuId, needed]) => ({ skuId, displayName: catalog.displayName(skuId), available: available.get(skuId) ?? 0, needed }));
    const results = allocateSeats(evaluated, available, catalog, demandMap(seatDemand));
    return { customerKey: req.customerKey, results, counts: countOutcomes(results), seatDemand };
  }

  /**
   * Applies a change. Per user all or nothing; across users, partial success reported user by user.
   * The same idempotency key again returns the recorded result and changes nothing.
   */
  async apply(input: LicenseChangeRequest, onProgress?: (p: Progress) => void): Promise<OperationResult> {
    const req = this.parse(input);
    await this.authorizeChange(req);
    const operationId = operationIdFor(req.customerKey, req.idempotencyKey);
    const existing = await this.operations.get(req.customerKey, operationId);
    if (existing) return this.awaitExisting(existing);

    const catalog = await this.loadCatalog(req.customerKey);
    // Read once, used by the prediction and by the chunks: a user changed since is caught by its ETag.
    const users = await this.directory.usersById(req.customerKey, req.userIds);
    const { seatDemand } = await this.predict(req, catalog, users);
    const op: OperationDoc = {
      id: operationId, type: 'operation', customerId: req.customerKey, idempotencyKey: req.idempotencyKey, request: req,
      status: 'running', createdAt: now(), heartbeatAt: now(), owner: this.instanceId, attempt: 1,
      chunkSize: this.options.chunkSize, chunkCount: Math.ceil(req.userIds.length / this.options.chunkSize), completedChunks: 0,
      seatDemand, counts: emptyCounts(),
    };
    // Ours from the moment it exists: a sweep in this process must not see it as stale.
    this.runningHere.add(operationId);
    let created: OperationDoc | undefined;
    try {
      created = (await this.operations.create(op)) ? await this.operations.get(req.customerKey, operationId) : undefined;
    } finally {
      if (!created) this.runningHere.delete(operationId);
    }
    if (!created) return this.awaitExisting((await this.operations.get(req.customerKey, operationId))!);
    return this.run(created, onProgress, users);
  }

  /** Running, but its process stopped beating (its heartbeat is older than the lease). */
  private isStale(op: OperationDoc): boolean {
    return op.status === 'running' && Date.now() - Date.parse(op.heartbeatAt) > this.options.staleAfterMs;
  }

  /** Waits for an operation already under way, or takes it over and finishes it once it is stale. */
  private async awaitExisting(op: OperationDoc, onProgress?: (p: Progress) => void): Promise<OperationResult> {
    const deadline = Date.now() + this.options.waitForRunningMs;
    let current: OperationDoc | undefined = op;
    while (current && current.status === 'running') {
      if (this.isStale(current)) {
        const resumed = await this.takeOver(current);
        if (resumed) return { ...(await this.run(resumed, onProgress)), replayed: true };
      }
      if (Date.now() > deadline) throw new OperationStillRunningError(op.id);
      await new Promise((r) => setTimeout(r, 200));
      current = await this.operations.get(op.customerId, op.id);
    }
    return this.resultOf(current!, true);
  }

  private async resultOf(op: OperationDoc, replayed: boolean): Promise<OperationResult> {
    const results = await this.operations.results(op);
    return {
      operationId: op.id, customerKey: op.customerId, status: op.status, requestedBy: op.request.requestedBy,
      createdAt: op.createdAt, completedAt: op.completedAt, results, counts: countOutcomes(results), seatDemand: op.seatDemand, replayed,
      stale: this.isStale(op),
    };
  }

  /** Claims a stale operation for this process; undefined when another process got there first. */
  private async takeOver(op: OperationDoc): Promise<OperationDoc | undefined> {
    if (this.runningHere.has(op.id)) return undefined;
    return this.operations.replaceIfUnchanged({ ...op, owner: this.instanceId, attempt: op.attempt + 1, heartbeatAt: now() });
  }

  private async run(start: OperationDoc, onProgress?: (p: Progress) => void, prefetched?: Map<string, UserDoc>): Promise<OperationResult> {
    this.runningHere.add(start.id);
    try {
      return await this.runChunks(start, onProgress, prefetched);
    } finally {
      this.runningHere.delete(start.id);
    }
  }

  private async runChunks(start: OperationDoc, onProgress?: (p: Progress) => void, prefetched?: Map<string, UserDoc>): Promise<OperationResult> {
    let op = start;
    const catalog = await this.loadCatalog(op.customerId);
    const req = op.request;
    for (let chunk = op.completedChunks; chunk < op.chunkCount; chunk++) {
      const saved = await this.operations.chunk(op, chunk);
      const results = saved ? saved.results : await this.runChunk(op, chunk, catalog, prefetched);
      if (!saved) await this.operations.saveChunk(op, chunk, results);
      const counts = countOutcomes(results);
      const next = await this.operations.replaceIfUnchanged({
        ...op,
        completedChunks: chunk + 1,
        heartbeatAt: now(),
        counts: { succeeded: op.counts.succeeded + counts.succeeded, failed: op.counts.failed + counts.failed, noChange: op.counts.noChange + counts.noChange },
      });
      // Another process took the operation over (we were thought dead): it finishes it, we stop.
      if (!next) return this.awaitExisting((await this.operations.get(op.customerId, op.id))!);
      op = next;
      onProgress?.({ operationId: op.id, processed: Math.min(req.userIds.length, (chunk + 1) * op.chunkSize), total: req.userIds.length, counts: op.counts });
    }
    const done = await this.operations.replaceIfUnchanged({ ...op, status: 'completed', completedAt: now(), heartbeatAt: now() });
    if (!done) return this.awaitExisting((await this.operations.get(op.customerId, op.id))!);
    return this.resultOf(done, op.attempt > 1);
  }

  private reservationKey(op: OperationDoc, chunk: number) {
    return `${op.id}:${chunk}:${op.attempt}`;
  }

  private async runChunk(op: OperationDoc, chunk: number, catalog: Catalog, prefetched?: Map<string, UserDoc>): Promise<UserChangePlan[]> {
    const req = op.request;
    const ids = req.userIds.slice(chunk * op.chunkSize, (chunk + 1) * op.chunkSize);
    const users = prefetched ? new Map(ids.filter((id) => prefetched.has(id)).map((id) => [id, prefetched.get(id)!])) : await this.directory.usersById(op.customerId, ids);
    const key = this.reservationKey(op, chunk);

    // Users an earlier attempt of this operation already wrote: their result is their mark.
    const done = new Map<string, UserChangePlan>();
    for (const u of users.values()) {
      const mark = u.licenseChanges?.find((m) => m.operationId === op.id);
      if (mark) done.set(u.id, planFromMark(u, mark));
    }
    if (op.attempt > 1) await this.settleOrphanReservations(op, chunk, ids, users);

    const evaluated = ids.filter((id) => !done.has(id)).map((id) => evaluateUserChange(users.get(id), id, req, catalog));
    const touched = new Set<string>();
    for (const p of evaluated) if (p.status === 'succeeded') [...p.added, ...p.removed].forEach((s) => touched.add(s));
    const seatDemand = demandMap(op.seatDemand);

    // 1. Reserve the seats this chunk needs (or what is left of them), product by product.
    const planned = allocateSeats(evaluated, await this.freeSeats(op.customerId, touched), catalog, seatDemand);
    const wanted = seatsAskedFor(planned);
    const granted = new Map<string, number>();
    for (const skuId of [...touched].sort()) {
      await this.directory.updateSku(op.customerId, skuId, (doc) => {
        // Already reserved under this key: a repeated write whose first reply was lost. Reserve once.
        if (doc.reservations[key] !== undefined) {
          granted.set(skuId, doc.reservations[key]);
          return undefined;
        }
        const grant = Math.min(wanted.get(skuId) ?? 0, Math.max(0, doc.prepaidUnits.enabled - doc.consumedUnits));
        granted.set(skuId, grant);
        return { ...doc, consumedUnits: doc.consumedUnits + grant, reservations: { ...doc.reservations, [key]: grant } };
      });
    }
    // Someone else took seats between our look and our reservation: fewer users get one.
    const gotAll = [...wanted].every(([skuId, n]) => granted.get(skuId) === n);
    let plans = gotAll ? planned : allocateSeats(evaluated, granted, catalog, seatDemand);

    // 2. Write each user: one document, all of its adds and removes, or nothing.
    plans = await mapLimit(plans, this.options.concurrency, (plan) => this.writeUser(op, key, plan, users.get(plan.userId), catalog, touched));

    // 3. Settle: give back unused and removed seats, and drop the reservation in the same write.
    const written = plans.filter((p) => p.status === 'succeeded');
    for (const skuId of [...touched].sort()) {
      const added = written.filter((p) => p.added.includes(skuId)).length;
      const removed = written.filter((p) => p.removed.includes(skuId)).length;
      await this.settle(op.customerId, skuId, key, added, removed);
    }
    const byId = new Map(plans.map((p) => [p.userId, p]));
    return ids.map((id) => done.get(id) ?? byId.get(id)!);
  }

  private async freeSeats(customerId: string, skuIds: Set<string>): Promise<Map<string, number>> {
    const free = new Map<string, number>();
    for (const skuId of skuIds) {
      const doc = await this.directory.sku(customerId, skuId);
      free.set(skuId, doc ? Math.max(0, doc.prepaidUnits.enabled - doc.consumedUnits) : 0);
    }
    return free;
  }

  private async settle(customerId: string, skuId: string, key: string, added: number, removed: number): Promise<void> {
    await this.directory.updateSku(customerId, skuId, (doc) => {
      const reserved = doc.reservations[key];
      if (reserved === undefined) return undefined; // already settled
      const reservations = { ...doc.reservations };
      delete reservations[key];
      return { ...doc, consumedUnits: doc.consumedUnits - reserved + added - removed, reservations };
    });
  }

  /** After a crash: settle what earlier attempts reserved for this chunk, counting their marks. */
  private async settleOrphanReservations(op: OperationDoc, chunk: number, ids: string[], users: Map<string, UserDoc>) {
    const prefix = `${op.id}:${chunk}:`;
    const skus: SkuDoc[] = await this.directory.skus(op.customerId);
    for (const sku of skus) {
      for (const key of Object.keys(sku.reservations ?? {}).filter((k) => k.startsWith(prefix))) {
        let added = 0;
        let removed = 0;
        for (const id of ids) {
          const mark = users.get(id)?.licenseChanges?.find((m) => m.operationId === op.id && m.reservationKey === key);
          if (!mark) continue;
          if (mark.added.includes(sku.skuId)) added++;
          if (mark.removed.includes(sku.skuId)) removed++;
        }
        await this.settle(op.customerId, sku.skuId, key, added, removed);
      }
    }
  }

  private async writeUser(op: OperationDoc, key: string, plan: UserChangePlan, user: UserDoc | undefined, catalog: Catalog, touched: Set<string>): Promise<UserChangePlan> {
    const reserved = new Set(plan.status === 'succeeded' ? plan.added : []);
    for (let attempt = 0; plan.status === 'succeeded' && user; attempt++) {
      const mark: LicenseChangeMark = {
        operationId: op.id, reservationKey: key, added: plan.added, removed: plan.removed, updated: plan.updated,
        before: plan.before, after: plan.after, at: now(),
      };
      const next: UserDoc = {
        ...toUserDoc(op.customerId, { ...stripUser(user), assignedLicenses: plan.after }, [mark, ...(user.licenseChanges ?? [])].slice(0, MAX_LICENSE_MARKS)),
        _etag: user._etag,
      };
      if (this.crashed || (this.options.crashAfterUserWrites !== undefined && this.userWrites >= this.options.crashAfterUserWrites)) {
        // Sticky: a dead process writes nothing more, not even from writes already in flight.
        this.crashed = true;
        throw new SimulatedCrash('simulated crash before a user write');
      }
      if (await this.directory.replaceUserIfUnchanged(next)) {
        this.userWrites++;
        return plan;
      }
      // Someone changed this user since we read it: look again, and write only within our reservation
      // and within the products this chunk settles (a seat given back elsewhere would go uncounted).
      user = await this.directory.user(op.customerId, plan.userId);
      // …unless that someone was this very write, repeated after a lost reply: it is done.
      const own = user?.licenseChanges?.find((m) => m.operationId === op.id && m.reservationKey === key);
      if (own) return planFromMark(user!, own);
      const again = evaluateUserChange(user, plan.userId, op.request, catalog);
      if (again.status !== 'succeeded') return again;
      const outside = again.added.some((s) => !reserved.has(s)) || again.removed.some((s) => !touched.has(s));
      if (attempt >= 3 || outside) return concurrentChangeFailure(plan);
      plan = again;
    }
    return plan;
  }

  /** Finishes operations whose process died; returns how many it took over. Run at start-up. */
  async recoverInterrupted(options: { staleAfterMs?: number } = {}): Promise<number> {
    const staleAfter = options.staleAfterMs ?? this.options.staleAfterMs;
    const stale = await this.operations.stale(new Date(Date.now() - staleAfter).toISOString());
    let recovered = 0;
    for (const op of stale) {
      const mine = await this.takeOver(op);
      if (!mine) continue;
      await this.run(mine);
      recovered++;
    }
    return recovered;
  }
}

function demandMap(seatDemand: SeatDemand[]) {
  return new Map(seatDemand.map((d) => [d.skuId, { available: d.available, needed: d.needed }]));
}

function stripUser(u: UserDoc): DirectoryUser {
  const { id, displayName, givenName, surname, userPrincipalName, mail, jobTitle, department, usageLocation, country, accountEnabled, assignedLicenses } = u;
  return { id, displayName, givenName, surname, userPrincipalName, mail, jobTitle, department, usageLocation, country, accountEnabled, assignedLicenses };
}

function planFromMark(u: UserDoc, mark: LicenseChangeMark): UserChangePlan {
  return {
    userId: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, status: 'succeeded',
    before: mark.before, after: mark.after, added: mark.added, removed: mark.removed, updated: mark.updated, errors: [],
  };
}

function concurrentChangeFailure(plan: UserChangePlan): UserChangePlan {
  return { ...plan, status: 'failed', after: plan.before, errors: [licenseError('concurrentChange', {})] };
}
