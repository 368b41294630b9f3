// Applying one chunk of an operation: which users an earlier attempt already wrote (their marks), the
// rules for the rest, seats held before any user is written, each user written whole, then the seats
// settled. The directory provides the user write and the seat ledger (directory-port.ts); the rules and
// the allocation are the preview's own, so apply does what the preview predicted.
import type { Catalog } from './catalog';
import type { CustomerDirectory, DirectoryUserRecord, LicenseChangeMark } from './directory-port';
import { licenseError } from './errors';
import { mapLimit } from './map-limit';
import { demandMap } from './preview';
import { allocateSeats, evaluateUserChange, seatsAskedFor, type UserChangePlan } from './rules';
import type { OperationDoc } from './store/operations';

/** A user changed by someone else while we wrote it is decided again at most this many times. */
const MAX_REDECISIONS = 3;

/**
 * How a chunk takes its turn among the chunks of one run in flight at once (operation-runner.ts):
 * seats are held in request order, and a chunk short of seats waits for the earlier ones to settle.
 */
export interface ChunkTurn {
  /** Resolves once every earlier chunk of the run holds its seats (or has ended). */
  seatsAfter: Promise<unknown>;
  /** Resolves once every earlier chunk of the run has settled its seats (or has ended). */
  settledAfter: Promise<unknown>;
  /** Called once this chunk holds its seats (or will not), and once it has settled them (or will not). */
  seatsHeld(): void;
  settled(): void;
  /** Throws once the run is failing (another chunk failed): this chunk then holds no seats at all. */
  check(): void;
}

/** A chunk on its own: nothing to wait for. */
const ALONE: ChunkTurn = { seatsAfter: Promise.resolve(), settledAfter: Promise.resolve(), seatsHeld: () => undefined, settled: () => undefined, check: () => undefined };

/** One reservation per chunk and attempt: a takeover never draws on the seats of the attempt before. */
export const reservationKey = (op: OperationDoc, chunk: number) => `${op.id}:${chunk}:${op.attempt}`;

export class ChunkWriter {
  constructor(
    private readonly directory: CustomerDirectory,
    private readonly concurrency: number,
  ) {}

  /**
   * The chunk's per-user results, in request order. `ids`: the chunk's users (the runner reads them
   * from the operation, where a large request keeps them apart). `prefetched`: users read for the preview, reused.
   * `fence`: the lease's, checked before every write (seats and users), so a runner that lost its lease
   * stops before writing anything more.
   */
  async write(op: OperationDoc, chunk: number, ids: string[], catalog: Catalog, prefetched?: Map<string, DirectoryUserRecord>, fence: () => void = () => undefined, turn: ChunkTurn = ALONE): Promise<UserChangePlan[]> {
    const req = op.request;
    const users = prefetched ? new Map(ids.filter((id) => prefetched.has(id)).map((id) => [id, prefetched.get(id)!])) : await this.directory.usersById(op.customerId, ids);
    const key = reservationKey(op, chunk);
    const seats = this.directory.seats;

    // Users an earlier attempt of this operation already wrote: their result is their mark.
    const done = new Map<string, UserChangePlan>();
    for (const u of users.values()) {
      const mark = u.licenseChanges?.find((m) => m.operationId === op.id);
      if (mark) done.set(u.id, planFromMark(u, mark));
    }
    if (op.attempt > 1) await seats.settleOrphans(op.customerId, `${op.id}:${chunk}:`, op.id, [...users.values()], fence);

    const evaluated = ids.filter((id) => !done.has(id)).map((id) => evaluateUserChange(users.get(id), id, req, catalog));
    const touched = new Set<string>();
    for (const p of evaluated) if (p.status === 'succeeded') [...p.added, ...p.removed].forEach((s) => touched.add(s));
    const skuIds = [...touched].sort();
    const seatDemand = demandMap(op.seatDemand);

    // 1. Hold the seats this chunk needs (or what is left of them), product by product: in request
    // order (after the chunk before has its seats). When the request is short of a product, only after
    // every earlier chunk gave back what it did not use, so no user goes without a seat that is free.
    let plans: UserChangePlan[];
    await turn.seatsAfter;
    turn.check();
    try {
      if (op.seatDemand.some((d) => d.needed > d.available)) {
        await turn.settledAfter;
        turn.check();
        const planned = allocateSeats(evaluated, await seats.free(op.customerId, touched), catalog, seatDemand);
        const wanted = seatsAskedFor(planned);
        const granted = await seats.reserve(op.customerId, key, skuIds, wanted, fence);
        // Someone else took seats between our look and our reservation: fewer users get one.
        plans = [...wanted].every(([skuId, n]) => granted.get(skuId) === n) ? planned : allocateSeats(evaluated, granted, catalog, seatDemand);
      } else {
        // Enough for everyone when previewed: ask for every seat at once (no separate look at what is
        // free). If another change took some since, fewer users get one, as above; what is not used is
        // given back when the chunk settles.
        const wanted = seatsAskedFor(evaluated);
        const granted = await seats.reserve(op.customerId, key, skuIds, wanted, fence);
        plans = [...wanted].every(([skuId, n]) => granted.get(skuId) === n) ? evaluated : allocateSeats(evaluated, granted, catalog, seatDemand);
      }
    } finally {
      turn.seatsHeld();
    }

    // 2. Write each user: all of its adds and removes, or nothing (as batches where the directory can,
    // then one by one every user a batch did not write).
    try {
      const batched = await this.writeBatched(op, key, plans, users, fence);
      plans = await mapLimit(plans, this.concurrency, (plan, i) => (batched[i] ? Promise.resolve(plan) : this.writeUser(op, key, plan, users.get(plan.userId), catalog, touched, fence)));

      await this.directory.indexWritten?.(op.customerId, op.attempt > 1 ? [...users.values()].filter((u) => done.has(u.id)) : []);
      // 3. Settle: give back unused and removed seats, and close the reservation.
      const written = plans.filter((p) => p.status === 'succeeded');
      const counts = new Map(skuIds.map((skuId) => [skuId, { added: written.filter((p) => p.added.includes(skuId)).length, removed: written.filter((p) => p.removed.includes(skuId)).length }]));
      await seats.settle(op.customerId, key, counts, fence);
    } finally {
      turn.settled();
    }
    const byId = new Map(plans.map((p) => [p.userId, p]));
    return ids.map((id) => done.get(id) ?? byId.get(id)!);
  }

  /**
   * The chunk's users at once, where the directory can (applyUserChanges): per plan, true if written
   * so. The rest (not to write, or not decided) go user by user (writeUser).
   */
  private async writeBatched(op: OperationDoc, key: string, plans: UserChangePlan[], users: Map<string, DirectoryUserRecord>, fence: () => void): Promise<boolean[]> {
    const toWrite = plans.map((p, i) => i).filter((i) => plans[i].status === 'succeeded' && users.has(plans[i].userId));
    if (!this.directory.applyUserChanges || toWrite.length < 2) return plans.map(() => false);
    // The fence goes with the writes: checked right before each batch is sent.
    const outcomes = await this.directory.applyUserChanges(toWrite.map((i) => ({ customerId: op.customerId, user: users.get(plans[i].userId)!, mark: markOf(op, key, plans[i]), fence })));
    const written = plans.map(() => false);
    toWrite.forEach((i, k) => (written[i] = outcomes[k]?.status === 'applied'));
    return written;
  }

  private async writeUser(op: OperationDoc, key: string, plan: UserChangePlan, user: DirectoryUserRecord | undefined, catalog: Catalog, touched: Set<string>, fence: () => void): Promise<UserChangePlan> {
    const reserved = new Set(plan.status === 'succeeded' ? plan.added : []);
    for (let attempt = 0; plan.status === 'succeeded' && user; attempt++) {
      fence();
      const outcome = await this.directory.applyUserChange({ customerId: op.customerId, user, mark: markOf(op, key, plan), fence });
      if (outcome.status === 'applied') return plan;
      if (outcome.status === 'rejected') return { ...plan, status: 'failed', after: plan.before, errors: [outcome.error] };
      // Someone changed this user since we read it: look again, and write only within our reservation
      // and within the products this chunk settles (a seat given back elsewhere would go uncounted).
      user = (await this.directory.usersById(op.customerId, [plan.userId])).get(plan.userId);
      // …unless that someone was this very write, repeated: it is done.
      const own = user?.licenseChanges?.find((m) => m.operationId === op.id && m.reservationKey === key);
      if (own) return planFromMark(user!, own);
      const again = evaluateUserChange(user, plan.userId, op.request, catalog);
      if (again.status !== 'succeeded') return again;
      const outside = again.added.some((s) => !reserved.has(s)) || again.removed.some((s) => !touched.has(s));
      if (attempt >= MAX_REDECISIONS || outside) return concurrentChangeFailure(plan);
      plan = again;
    }
    return plan;
  }
}

function markOf(op: OperationDoc, key: string, plan: UserChangePlan): LicenseChangeMark {
  return {
    operationId: op.id, reservationKey: key, added: plan.added, removed: plan.removed, updated: plan.updated,
    before: plan.before, after: plan.after, at: new Date().toISOString(),
  };
}

function planFromMark(u: DirectoryUserRecord, mark: LicenseChangeMark): UserChangePlan {
  return {
    userId: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, status: 'succeeded',
    before: mark.before, after: mark.after, added: mark.added, removed: mark.removed, updated: mark.updated, errors: [],
  };
}

function concurrentChangeFailure(plan: UserChangePlan): UserChangePlan {
  return { ...plan, status: 'failed', after: plan.before, errors: [licenseError('concurrentChange', {})] };
}
