// The page index as the directory uses it: read from its documents (user-index-store.ts), built from
// the users with one query only where there are no such documents (data from before them) or they are
// broken, and kept current by the writers — the import and a Graph fill write a base, a license change
// and the Graph mirror's other writes append their users to the journal.
import type { Container } from '@azure/cosmos';
import { queryAll } from './cosmos';
import { indexEntry, type IndexRecord, type PageIndex } from './page-index';
import { IndexMissingError, UserIndexStore, type JournalPosition } from './user-index-store';

/** What a user document gives its index entry (a UserDoc has all of it). */
export interface IndexedUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
  department?: string | null;
  jobTitle?: string | null;
  usageLocation?: string | null;
  accountEnabled?: boolean | null;
  skuIds?: string[];
  assignedLicenses?: { skuId: string }[];
  rev?: number;
}

export const recordOf = (u: IndexedUser): IndexRecord => indexEntry({ ...u, skuIds: u.skuIds ?? (u.assignedLicenses ?? []).map((l) => l.skuId) });

/**
 * A user document's revision: newer than the one it replaces and, across processes, roughly the time
 * (a write that did not read the user first — the import, a Graph fill — still orders after older ones).
 */
export const nextRev = (previous?: number) => Math.max(Date.now(), (previous ?? 0) + 1);

const FIELDS = 'c.id, c.displayName, c.userPrincipalName, c.mail, c.department, c.jobTitle, c.usageLocation, c.accountEnabled, c.skuIds, c.rev';

export class UserIndex {
  readonly store: UserIndexStore;
  /** Users written by this process and not yet in the journal, per customer (see flush). */
  private readonly pending = new Map<string, Map<string, IndexRecord>>();
  private readonly rebuilding = new Map<string, Promise<PageIndex>>();

  constructor(private readonly container: Container) {
    this.store = new UserIndexStore(container);
  }

  /** The customer's index, current as of this call. */
  async get(customerId: string): Promise<PageIndex> {
    try {
      return await this.store.current(customerId);
    } catch (err) {
      if (!(err instanceof IndexMissingError)) throw err;
      return this.rebuildFromUsers(customerId);
    }
  }

  /**
   * The fallback: every user read once (a query) and written as a new base. The journal's end is read
   * first, so users written meanwhile are applied on top of it by revision.
   */
  private rebuildFromUsers(customerId: string): Promise<PageIndex> {
    const running = this.rebuilding.get(customerId);
    if (running) return running;
    const build = (async () => {
      const from = await this.store.journalEnd(customerId);
      const users = await queryAll<IndexedUser>(this.container, `SELECT ${FIELDS} FROM c WHERE c.customerId = @c AND c.type = "user"`, [{ name: '@c', value: customerId }], 100_000);
      // Conditional: two processes rebuilding at once store one base, not two.
      await this.store.writeGeneration(customerId, users.map(recordOf), from, { ifUnchanged: true });
      return this.store.current(customerId);
    })();
    this.rebuilding.set(customerId, build);
    return build.finally(() => this.rebuilding.delete(customerId));
  }

  /** A whole customer's users written at once (an import, a Graph fill): their base, no query. */
  async writeBase(customerId: string, records: IndexRecord[], from: JournalPosition): Promise<void> {
    await this.store.writeGeneration(customerId, records, from);
  }

  /** How many users the index held when this process last read it (undefined: not read yet). */
  sizeHint(customerId: string): number | undefined {
    return this.store.sizeHint(customerId);
  }

  journalEnd(customerId: string): Promise<JournalPosition> {
    return this.store.journalEnd(customerId);
  }

  /** Remembers a user this process wrote; `flush` appends it (one append per chunk, not per user). */
  written(customerId: string, user: IndexedUser): void {
    let list = this.pending.get(customerId);
    if (!list) this.pending.set(customerId, (list = new Map()));
    list.set(user.id, recordOf(user));
  }

  /** Appends what `written` remembered, and `also` (users found written by an earlier attempt). */
  async flush(customerId: string, also: IndexedUser[] = []): Promise<void> {
    const list = this.pending.get(customerId);
    this.pending.delete(customerId);
    const records = [...(list?.values() ?? []), ...also.map(recordOf)];
    try {
      await this.store.append(customerId, records);
    } catch (err) {
      // Kept for the next flush; the chunk fails, and its next attempt appends its users again anyway.
      const again = this.pending.get(customerId) ?? new Map<string, IndexRecord>();
      for (const [id, r] of list ?? []) if (!again.has(id)) again.set(id, r);
      this.pending.set(customerId, again);
      throw err;
    }
  }

  /** Users written now (the Graph mirror's batches): appended at once. */
  append(customerId: string, users: IndexedUser[]): Promise<void> {
    return this.store.append(customerId, users.map(recordOf));
  }

  /** Users removed: their tombstones, so an older write of theirs appended late does not bring them back. */
  removed(customerId: string, ids: string[]): Promise<void> {
    const rev = nextRev();
    return this.store.append(customerId, ids.map((id) => ({ id, rev, removed: true as const })));
  }
}
