// The customer directory kept in Cosmos DB (imported from Graph exports): the first CustomerDirectory.
// Users are documents written with IfMatch, each write carrying its mark; seats are the product
// documents' counters, reserved and settled by the CosmosSeatLedger.
import type { CustomerDirectory, PageMove, UserFilter, UserLicenseWrite, UserPage, UserWriteOutcome } from '../directory-port';
import { MAX_LICENSE_MARKS } from '../directory-port';
import { pickDirectoryUser, type SubscribedSku } from '../model';
import { toUserDoc, type DirectoryRepository, type UserDoc } from './directory';
import { CosmosSeatLedger } from './seat-ledger';

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
    return this.repository.skus(customerId);
  }

  pageUsers(customerId: string, filter: UserFilter, move: PageMove, anchor?: { firstKey?: string; lastKey?: string }): Promise<UserPage<UserDoc>> {
    return this.repository.page(customerId, filter, move, anchor);
  }

  departments(customerId: string): Promise<string[]> {
    return this.repository.departments(customerId);
  }

  usersById(customerId: string, ids: string[]): Promise<Map<string, UserDoc>> {
    return this.repository.usersById(customerId, ids);
  }

  async applyUserChange({ customerId, user, mark, fence }: UserLicenseWrite<UserDoc>): Promise<UserWriteOutcome<UserDoc>> {
    const next: UserDoc = {
      ...toUserDoc(customerId, { ...pickDirectoryUser(user), assignedLicenses: mark.after }, [mark, ...(user.licenseChanges ?? [])].slice(0, MAX_LICENSE_MARKS)),
      _etag: user._etag,
    };
    // A lost reply (408/503, a reset, a timeout) is repeated by the store; the repeat then meets 412 and
    // is told apart below. The fence is checked before every attempt, repeats included.
    const written = await this.repository.replaceUserIfUnchanged(next, fence);
    if (written) return { status: 'applied', user: written };
    const stored = await this.repository.user(customerId, user.id);
    const own = stored?.licenseChanges?.some((m) => m.operationId === mark.operationId && m.reservationKey === mark.reservationKey);
    return own ? { status: 'applied', user: stored! } : { status: 'changedSince' };
  }

  /** Seats in use against holders, per product: the invariant at rest (tests and the benchmark check it). */
  async seatAudit(customerId: string): Promise<Record<string, SeatAudit>> {
    const audit: Record<string, SeatAudit> = {};
    for (const s of await this.repository.skus(customerId)) {
      audit[s.skuId] = {
        skuPartNumber: s.skuPartNumber,
        consumed: s.consumedUnits,
        holders: await this.repository.holders(customerId, s.skuId),
        enabled: s.prepaidUnits.enabled,
        reservations: Object.keys(s.reservations ?? {}).length,
      };
    }
    return audit;
  }
}
