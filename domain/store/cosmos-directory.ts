// The customer directory kept in Cosmos DB (imported from Graph exports): the first CustomerDirectory.
// Users are documents written with IfMatch, each write carrying its mark; seats are the product
// documents' counters, reserved and settled by the CosmosSeatLedger.
import type { CustomerDirectory, DirectorySummary, DirectoryUserRecord, LicenseChangeMark, SelectionSummary, PageMove, UserFilter, UserLicenseWrite, UserPage, UserWriteOutcome } from '../directory-port';
import { mapLimit } from '../map-limit';
import { NameIndex, resolveAmong, type NameResolution, type NamedEntry } from '../user-resolution';
import { MAX_LICENSE_MARKS } from '../directory-port';
import { pickDirectoryUser, type SubscribedSku } from '../model';
import { toUserDoc, type DirectoryRepository, type UserDoc } from './directory';
import { CosmosSeatLedger } from './seat-ledger';
import { QUERIES_UP_TO_USERS } from './users-by-id';

/** Pasted lists up to this long are searched name by name; longer ones read the customer once. */
export const SEARCH_EACH_UP_TO = 20;
/** How many hits a name search returns (the users card's page): more means "ask, do not pick". */
const SEARCH_TOP = 20;

export interface SeatAudit {
  skuPartNumber: string;
  consumed: number;
  /** Users holding the product, counted from the users themselves (the truth for seats). */
  holders: number;
  enabled: number;
  /** Reservations still open (none at rest). */
  reservations: number;
}

export class CosmosDirectory implements CustomerDirectory<UserDoc> {
  readonly seats: CosmosSeatLedger;

  constructor(private readonly repository: DirectoryRepository) {
    this.seats = new CosmosSeatLedger(repository);
  }

  products(customerId: string): Promise<SubscribedSku[]> {
    return this.repository.listedSkus(customerId);
  }

  pageUsers(customerId: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }): Promise<UserPage<UserDoc>> {
    return this.repository.page(customerId, filter, move, anchor);
  }

  departments(customerId: string): Promise<string[]> {
    return this.repository.departments(customerId);
  }

  summary(customerId: string): Promise<DirectorySummary> {
    return this.repository.summary(customerId);
  }

  countUsers(customerId: string, filter: UserFilter): Promise<number> {
    return this.repository.count(customerId, filter);
  }

  userIdsMatching(customerId: string, filter: UserFilter): Promise<string[]> {
    return this.repository.idsMatching(customerId, filter);
  }

  /**
   * Up to SEARCH_EACH_UP_TO names: a projected search each (as the users filter does); more: the
   * customer's users read once, projected, and matched in memory — a query per name made 1,000 pasted
   * UPNs take 36 s. Shared by the Graph directory, whose reads come from this same mirror.
   */
  async resolveUsers(customerId: string, names: string[]): Promise<NameResolution<NamedEntry>[]> {
    if (names.length <= SEARCH_EACH_UP_TO) {
      return mapLimit(names, 4, async (name) => {
        const found = await this.repository.searchNames(customerId, name, SEARCH_TOP + 1);
        return resolveAmong(name, found.slice(0, SEARCH_TOP), found.length > SEARCH_TOP);
      });
    }
    const index = new NameIndex(await this.repository.nameEntries(customerId));
    return names.map((name) => index.resolve(name));
  }

  selectionSummary(customerId: string, selected: { has(id: string): boolean }): Promise<SelectionSummary> {
    return this.repository.selectionSummary(customerId, selected);
  }

  usersById(customerId: string, ids: string[], options: { forDisplay?: boolean } = {}): Promise<Map<string, UserDoc>> {
    return this.repository.usersById(customerId, ids, { withoutMarks: options.forDisplay });
  }

  async applyUserChange({ customerId, user, mark, fence }: UserLicenseWrite<UserDoc>): Promise<UserWriteOutcome<UserDoc>> {
    const next = changedUserDoc(customerId, user, mark);
    // A lost reply (408/503, a reset, a timeout) is repeated by the store; the repeat then meets 412 and
    // is told apart below. The fence is checked before every attempt, repeats included.
    const written = await this.repository.replaceUserIfUnchanged(next, fence);
    if (written) return { status: 'applied', user: written };
    const stored = await this.repository.user(customerId, user.id);
    const own = stored?.licenseChanges?.some((m) => m.operationId === mark.operationId && m.reservationKey === mark.reservationKey);
    if (!own) return { status: 'changedSince' };
    // Written by a repeat whose reply was lost: into the page index like any other write.
    this.repository.index.written(customerId, stored!);
    return { status: 'applied', user: stored! };
  }

  /**
   * A chunk's user changes as transactional batches of conditional replaces (one request for up to
   * 100 users instead of one each: the client's CPU per request is what bounds a Save). Per write: applied,
   * or undefined — not decided by a batch (one that failed, even partly applied on the emulator): the
   * caller writes it with applyUserChange, which tells a write already made by its mark. One customer
   * and one fence for all of them.
   */
  async applyUserChanges(writes: UserLicenseWrite<UserDoc>[]): Promise<(UserWriteOutcome<UserDoc> | undefined)[]> {
    if (!writes.length) return [];
    const { customerId, fence } = writes[0];
    const written = await this.repository.replaceUsersIfUnchanged(customerId, writes.map((w) => changedUserDoc(customerId, w.user, w.mark)), fence);
    return written.map((user) => (user ? { status: 'applied', user } : undefined));
  }

  /** The chunk's written users into the page index: one journal append (see CustomerDirectory.indexWritten). */
  indexWritten(customerId: string, alsoUsers: DirectoryUserRecord[]): Promise<void> {
    return this.repository.flushIndex(customerId, alsoUsers as UserDoc[]);
  }

  /** Seats in use against holders, per product: the invariant at rest (tests and the benchmark check it). */
  async seatAudit(customerId: string): Promise<Record<string, SeatAudit>> {
    const audit: Record<string, SeatAudit> = {};
    const holders = await this.repository.holdersByProduct(customerId);
    // A large customer's products by id (those its summary lists): the query for them is a scan of
    // every user on the emulator, and that is about a minute at 100,000 users.
    const large = (await this.repository.pageIndex(customerId)).entries.length > QUERIES_UP_TO_USERS;
    for (const s of large ? await this.repository.listedSkus(customerId) : await this.repository.skus(customerId)) {
      audit[s.skuId] = {
        skuPartNumber: s.skuPartNumber,
        consumed: s.consumedUnits,
        holders: holders.get(s.skuId) ?? 0,
        enabled: s.prepaidUnits.enabled,
        reservations: Object.keys(s.reservations ?? {}).length,
      };
    }
    return audit;
  }
}

/** The user as a change writes it: its licenses, the mark first, the next revision; conditional on the ETag read. */
function changedUserDoc(customerId: string, user: UserDoc, mark: LicenseChangeMark): UserDoc {
  return {
    ...toUserDoc(customerId, { ...pickDirectoryUser(user), assignedLicenses: mark.after }, [mark, ...(user.licenseChanges ?? [])].slice(0, MAX_LICENSE_MARKS), user.rev),
    _etag: user._etag,
  };
}
