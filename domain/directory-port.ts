// The customer's directory as the domain needs it: users and products to read, one user's license
// change to write, and a seat ledger to draw seats from. The rules, preview, operations journal,
// idempotency and progress are one code path above this port (operation-runner.ts, apply-chunk.ts).
//
// Implementations:
//   - store/cosmos-directory.ts: the directory kept in Cosmos DB (data imported from Graph exports).
//     Seats are reserved on the product documents; each user is one IfMatch write carrying its mark.
//   - graph/graph-directory.ts: Microsoft Graph, `assignLicense` per user (gathered into $batch), Graph
//     having the last word on seats, users and products mirrored into Cosmos for paging, filters and marks.
import type { LicenseError } from './errors';
import type { AssignedLicense, DirectoryUser, SubscribedSku } from './model';
import type { NameResolution, NamedEntry } from './user-resolution';

/** What an operation did to one user, kept with the user so a restart can tell written from not written. */
export interface LicenseChangeMark {
  operationId: string;
  /** The write key (seat reservation) the write drew on; recovery settles reservations from these marks. */
  reservationKey: string;
  added: string[];
  removed: string[];
  updated: string[];
  before: AssignedLicense[];
  after: AssignedLicense[];
  at: string;
}

/** A user as the directory returns it: Graph's fields plus what License Desk recorded about it. */
export interface DirectoryUserRecord extends DirectoryUser {
  /** The order users are listed in (folded display name, then id); page anchors are sort keys. */
  sortKey: string;
  /** License Desk's changes to this user, newest first (at most MAX_LICENSE_MARKS). */
  licenseChanges: LicenseChangeMark[];
  /** Read fresh from the source, its licenses differ from what License Desk last read (changed outside it). */
  changedOutside?: boolean;
}

export const MAX_LICENSE_MARKS = 20;

/**
 * The directory cannot be reached for this customer at all (Graph: no consent, GDAP expired, a wrong
 * secret). Nothing of the failing call was applied; the runner keeps the operation resumable instead of
 * failing its users, and the caller names the customer and the fix.
 */
export class DirectoryUnreachableError extends Error {
  readonly unreachable = true;
  constructor(readonly customerId: string, readonly reason: string, message: string) {
    super(message);
  }
}
export const PAGE_SIZE = 20;

export interface UserFilter {
  /** Part of a name, UPN, department or job title. */
  text?: string;
  department?: string;
  /** skuId, or "none" for unlicensed users. */
  skuId?: string;
  /** skuId the users do not hold. */
  lacksSkuId?: string;
  /** Two-letter usage location, or "none" for users without one (who cannot be licensed). */
  usageLocation?: string;
  /** true: enabled accounts only; false: disabled (blocked sign-in) only. */
  accountEnabled?: boolean;
}

/** Per customer, kept beside the users so a users card never reads every user's department. */
export interface DirectorySummary {
  departments: string[];
  usageLocations: string[];
  userCount: number;
  /** The customer's products by skuId, so they are read by id. */
  skuIds: string[];
}

export type PageMove = 'first' | 'next' | 'previous' | 'last';

export interface UserPage<U extends DirectoryUserRecord = DirectoryUserRecord> {
  users: U[];
  pageNumber: number;
  pageCount: number;
  total: number;
  firstKey?: string;
  lastKey?: string;
}

/** One user's license change: every add and remove of it together, or none. */
export interface UserLicenseWrite<U extends DirectoryUserRecord = DirectoryUserRecord> {
  customerId: string;
  /** The user as read when the change was decided; where the directory has versions, the write is conditional on it. */
  user: U;
  /** What to write: `after` is the user's complete license list; the mark is recorded with it. */
  mark: LicenseChangeMark;
  /**
   * The runner's lease fence: throws once the operation may have passed to another process. Call it
   * immediately before each attempt to write (also before a retry), so a runner that stalled past its
   * lease writes nothing more. Optional for callers outside an operation.
   */
  fence?: () => void;
}

export type UserWriteOutcome<U extends DirectoryUserRecord = DirectoryUserRecord> =
  /** The change is in the directory (written now, or found there: an earlier try of this very write). */
  | { status: 'applied'; user: U }
  /** Not written, because the user changed since it was read: the caller reads it again and decides again. */
  | { status: 'changedSince' }
  /** The directory refused this user's change (e.g. Graph's 400 Request_BadRequest), as a stable code. */
  | { status: 'rejected'; error: LicenseError };

/**
 * Seats while a chunk of users is written. The runner asks what is free, holds what it needs under a
 * key, writes the users, then settles the key with what was written. A directory that enforces seats
 * itself (Graph) grants what is free and holds nothing; one that counts seats in its own documents
 * (Cosmos) must make "holders ≤ consumed ≤ enabled" hold at every moment.
 */
export interface SeatLedger {
  /** Seats free now per product (enabled − consumed, never below 0); unknown products have 0. */
  free(customerId: string, skuIds: Iterable<string>): Promise<Map<string, number>>;
  /**
   * Holds up to `wanted` seats of each product in `skuIds` (in that order) under `key`; returns what was
   * granted per product. Idempotent per key: a repeat (after a lost reply) grants what the first did.
   */
  reserve(customerId: string, key: string, skuIds: string[], wanted: Map<string, number>, fence?: () => void): Promise<Map<string, number>>;
  /** Gives back the unused part of `key`'s hold and counts seats taken (added) and freed (removed). Once per key. */
  settle(customerId: string, key: string, written: Map<string, { added: number; removed: number }>, fence?: () => void): Promise<void>;
  /**
   * After a takeover: settles holds an earlier attempt left behind under keys starting with `keyPrefix`,
   * counting what each of `users` carries as a mark with that key.
   *
   * `fence` (every method that writes): the runner's lease fence, to call before each write attempt.
   */
  settleOrphans(customerId: string, keyPrefix: string, operationId: string, users: DirectoryUserRecord[], fence?: () => void): Promise<void>;
}

/**
 * A customer's directory.
 *
 * Idempotency: the runner may call `applyUserChange` again with the same mark (same operation and
 * reservation key) after a crash or a lost reply. An implementation must never apply a change twice:
 * it recognises its own earlier write by the mark (or by the user already holding `mark.after` and the
 * mark being recorded) and answers `applied`.
 *
 * Unknown outcome: a write whose reply was lost (timeout, 408/503, connection reset) may or may not have
 * happened. The implementation settles it before answering, by reading the user back: holding the mark
 * (or exactly `mark.after`) means `applied` — then it records the mark if it was missing; otherwise it
 * is `changedSince` (the runner reads again and decides again). If even the read-back fails it throws;
 * the operation then stays running and a later takeover finishes it from the users' marks.
 *
 * Notes for a directory without versions or marks of its own (Graph): compare the user's licenses now
 * with `write.user.assignedLicenses` before writing (different: `changedSince`); compare only directly
 * assigned licenses (group-inherited ones cannot be removed and are not the write's); keep marks in the
 * mirror and record one as soon as the write is known to have happened — a crash between the two makes
 * the takeover see a user who already holds the change, which the rules then report as `noChange`.
 * Only `applied` counts as written for the seat ledger; `rejected` and `changedSince` take no seat.
 */
export interface CustomerDirectory<U extends DirectoryUserRecord = DirectoryUserRecord> {
  /** The customer's products (`GET /subscribedSkus`), with the seat counts to allocate from. */
  products(customerId: string): Promise<SubscribedSku[]>;
  /** One page of users (from a mirror is fine), filtered, in sort-key order. */
  pageUsers(customerId: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }): Promise<UserPage<U>>;
  /** Departments present, for the filter choice (from the customer's summary, not from every user). */
  departments(customerId: string): Promise<string[]>;
  /** Departments, usage locations and the user count, kept per customer (rebuilt when missing). */
  summary(customerId: string): Promise<DirectorySummary>;
  /** How many users match a filter (the count on "Select all N matching"). */
  countUsers(customerId: string, filter: UserFilter): Promise<number>;
  /** The ids of every user matching a filter, in sort-key order (a projection: 100,000 ids are ~4 MB). */
  userIdsMatching(customerId: string, filter: UserFilter): Promise<string[]>;
  /**
   * Pasted names (UPNs, mail addresses, display names) → users, one resolution per name in order, by
   * the rules of user-resolution.ts. A few names: a search each; many: one read of the customer's users
   * (a projection) matched in memory. A Graph directory serves this from its Cosmos mirror too.
   */
  resolveUsers(customerId: string, names: string[]): Promise<NameResolution<NamedEntry>[]>;
  /**
   * The given users as they are now (fresh: a change is decided on them); unknown ids are absent.
   * `fresh: false`: what the directory last knew is enough (ids and names for a card; a mirror is fine).
   * `forDisplay`: for a card, whose words never use License Desk's marks — a directory may leave
   * `licenseChanges` empty (up to 20 marks a user: most of a document, when 1,000 users are shown).
   */
  usersById(customerId: string, ids: string[], options?: { fresh?: boolean; forDisplay?: boolean }): Promise<Map<string, U>>;
  /**
   * The known users among a selection, in sort-key order, and per product how many of them hold it —
   * from what the directory last knew, without reading the users themselves (a selection can be
   * 100,000 users: Manage licenses shows counts for it). Optional: without it, the users are read.
   */
  selectionSummary?(customerId: string, selected: { has(id: string): boolean }): Promise<SelectionSummary>;
  /** Applies one user's change, all or nothing (see the contract above). */
  applyUserChange(write: UserLicenseWrite<U>): Promise<UserWriteOutcome<U>>;
  /**
   * Optional: many users' changes (one customer, one fence) in fewer requests. Per write its outcome, or
   * undefined where this call did not decide it — possibly written, possibly not: the caller then calls
   * `applyUserChange` for it, whose idempotency (above) settles which. Never applies a change twice.
   */
  applyUserChanges?(writes: UserLicenseWrite<U>[]): Promise<(UserWriteOutcome<U> | undefined)[]>;
  /**
   * After a chunk's user writes: records the users written since the last call, and `alsoUsers` (found
   * written by an earlier attempt, whose record may have died with its process), where pages and
   * filters read them (the page index), in one go rather than a write per user. Idempotent.
   */
  indexWritten?(customerId: string, alsoUsers: U[]): Promise<void>;
  /** Where the runner draws seats from. */
  readonly seats: SeatLedger;
  /** A directory with a source elsewhere (Graph): reads users and products from it now. */
  refresh?(customerId: string): Promise<unknown>;
  /** A directory with a source elsewhere (Graph): when users and products were last read from it. */
  freshness?(customerId: string): Promise<DataFreshness>;
}

export interface SelectionSummary {
  /** The selected users the directory knows, in sort-key order. */
  ids: string[];
  /** Per product (skuId): how many of them hold it. */
  holders: Record<string, number>;
  /** Display names of the first FIRST_NAMES_SHOWN of them, for a card that shows counts. */
  firstNames: string[];
}

export const FIRST_NAMES_SHOWN = 15;

export interface DataFreshness {
  usersReadAt?: string;
  productsReadAt?: string;
}
