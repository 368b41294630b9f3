// The Cosmos mirror of a Graph customer: the same user and product documents the Cosmos directory
// keeps, so paging, filters and prediction stay one code path. Filled on first use from
// GET /users ($top=999, every nextLink), kept current with GET /users/delta (its deltaLink stored
// beside the users), products re-read from GET /subscribedSkus.
// delta: https://learn.microsoft.com/graph/delta-query-users
import { directoryUserFields, directoryUserSchema, pickDirectoryUser, subscribedSkuSchema, type DirectoryUser, type SubscribedSku } from '../model';
import { MAX_LICENSE_MARKS, type LicenseChangeMark } from '../directory-port';
import { toSkuDoc, toUserDoc, type DirectoryRepository, type SkuDoc, type UserDoc } from '../store/directory';
import { mapLimit } from '../map-limit';
import { recordOf } from '../store/user-index';
import type { IndexRecord } from '../store/page-index';
import type { GraphClient } from './graph-client';
import { GraphReadError, type GraphSubscribedSku, type GraphUser } from './graph-types';

/** What the mirror knows about its own freshness, one document per customer. */
export interface SyncStateDoc {
  id: typeof SYNC_STATE_ID;
  type: 'graphSync';
  customerId: string;
  tenantId: string;
  deltaLink: string;
  /** When users were last read from Graph (a full fill or a delta round). */
  usersReadAt: string;
  productsReadAt?: string;
}

export const SYNC_STATE_ID = 'graph-sync';

/** Graph's user in the domain's shape (zod-checked); undefined for one License Desk cannot show (no UPN). */
export function fromGraphUser(u: GraphUser): DirectoryUser | undefined {
  const parsed = directoryUserSchema.safeParse({
    id: u.id,
    displayName: u.displayName || u.userPrincipalName,
    givenName: u.givenName, surname: u.surname, userPrincipalName: u.userPrincipalName, mail: u.mail,
    jobTitle: u.jobTitle, department: u.department,
    usageLocation: u.usageLocation && u.usageLocation.length === 2 ? u.usageLocation : null,
    country: u.country, accountEnabled: u.accountEnabled ?? true,
    assignedLicenses: (u.assignedLicenses ?? []).map((l) => ({ skuId: l.skuId.toLowerCase(), disabledPlans: l.disabledPlans ?? [] })),
    ...(u.licenseAssignmentStates
      ? { licenseAssignmentStates: u.licenseAssignmentStates.map((s) => ({ skuId: s.skuId.toLowerCase(), disabledPlans: s.disabledPlans ?? [], assignedByGroup: s.assignedByGroup ?? null })) }
      : {}),
  });
  return parsed.success ? parsed.data : undefined;
}

export function fromGraphSku(s: GraphSubscribedSku): SubscribedSku | undefined {
  const parsed = subscribedSkuSchema.safeParse({ ...s, skuId: s.skuId.toLowerCase() });
  return parsed.success ? parsed.data : undefined;
}

/** A user's licenses as one comparable string: what "changed since it was read" compares. */
export function licenseKey(u: Pick<DirectoryUser, 'assignedLicenses' | 'licenseAssignmentStates'>): string {
  const lic = u.assignedLicenses.map((l) => `${l.skuId.toLowerCase()}:${[...l.disabledPlans].sort().join('+')}`).sort();
  const groups = (u.licenseAssignmentStates ?? []).filter((s) => s.assignedByGroup).map((s) => `${s.skuId}@${s.assignedByGroup}`).sort();
  return `${lic.join(',')}|${groups.join(',')}`;
}

const graphFieldsKey = (u: DirectoryUser) =>
  directoryUserFields.filter((f) => f !== 'assignedLicenses' && f !== 'licenseAssignmentStates').map((f) => JSON.stringify(u[f] ?? null)).join('|') + licenseKey(u);

function sameSku(doc: SkuDoc, sku: SubscribedSku, held: number): boolean {
  return (
    doc.consumedUnits === sku.consumedUnits + held &&
    doc.capabilityStatus === sku.capabilityStatus &&
    JSON.stringify(doc.prepaidUnits) === JSON.stringify(sku.prepaidUnits) &&
    doc.servicePlans.length === sku.servicePlans.length
  );
}

interface StoredUser {
  doc: UserDoc;
  /** It differs from the mirror's document. */
  write: boolean;
}

/**
 * Mirror writes that arrive together (the users of one $batch reply, resolved in one go) are gathered
 * per customer and written as one Cosmos DB batch; each caller still hears of its own document.
 */
class GatheredWrites {
  private readonly waiting = new Map<string, { doc: UserDoc; resolve: () => void; reject: (e: unknown) => void }[]>();

  constructor(private readonly repository: DirectoryRepository) {}

  upsert(doc: UserDoc): Promise<void> {
    return new Promise((resolve, reject) => {
      let list = this.waiting.get(doc.customerId);
      if (!list) {
        list = [];
        this.waiting.set(doc.customerId, list);
        // After the callers resolved in this turn have all added theirs.
        setImmediate(() => void this.flush(doc.customerId));
      }
      list.push({ doc, resolve, reject });
    });
  }

  private async flush(customerId: string): Promise<void> {
    const list = this.waiting.get(customerId) ?? [];
    this.waiting.delete(customerId);
    try {
      // The same user twice in one go: its later document is the one that stands.
      const last = new Map(list.map((w, i) => [w.doc.id, i]));
      const docs = [...last.values()].map((i) => list[i].doc);
      const errors = await this.repository.upsertMany(customerId, docs);
      const errorOf = new Map(docs.map((d, k) => [d.id, errors[k]]));
      for (const w of list) {
        const error = errorOf.get(w.doc.id);
        if (error === undefined) w.resolve();
        else w.reject(error);
      }
    } catch (err) {
      for (const w of list) w.reject(err);
    }
  }
}

export class GraphMirror {
  private readonly writes: GatheredWrites;

  constructor(
    private readonly client: GraphClient,
    private readonly repository: DirectoryRepository,
  ) {
    this.writes = new GatheredWrites(repository);
  }

  syncState(customerId: string): Promise<SyncStateDoc | undefined> {
    return this.repository.doc<SyncStateDoc>(customerId, SYNC_STATE_ID);
  }

  /**
   * Brings the mirror up to date: a full fill when it was never filled (or the delta link expired),
   * otherwise one delta round. Returns the new state.
   */
  async sync(customerId: string, tenantId: string): Promise<SyncStateDoc> {
    const { state, changed } = await this.readUsers(customerId, tenantId);
    // Users changed outside an import or a license change (in the page index's journal already, or a
    // new base after a fill): the summary's departments, locations and count follow. A delta round that
    // found nothing rewrites nothing.
    if (changed) await this.repository.markChanged(customerId);
    return state;
  }

  private async readUsers(customerId: string, tenantId: string): Promise<{ state: SyncStateDoc; changed: boolean }> {
    const state = await this.syncState(customerId);
    if (state && state.tenantId === tenantId) {
      try {
        return await this.applyDelta(customerId, state);
      } catch (err) {
        if (!(err instanceof GraphReadError && err.code === 'deltaExpired')) throw err;
      }
    }
    return { state: await this.fill(customerId, tenantId), changed: true };
  }

  /** Every user from GET /users; mirror users Graph no longer lists are dropped; License Desk's marks are kept. */
  private async fill(customerId: string, tenantId: string): Promise<SyncStateDoc> {
    // The delta link first (its own full round), so nothing changed during the fill is missed next time.
    const { deltaLink } = await this.client.usersDelta(tenantId);
    // The fill writes the page index's base itself (every user is in hand, page by page): no journal of
    // 100,000 entries, and no query of them afterwards. Written meanwhile by others: applied on top.
    const from = await this.repository.index.journalEnd(customerId);
    const records: IndexRecord[] = [];
    const seen = new Set<string>();
    // Only users already in the mirror are read back (to compare, and keep their marks): on a first
    // fill none, instead of a look-up per page in a partition that grows with every page.
    const mirrored = new Set(await this.repository.userIds(customerId));
    for await (const page of this.client.userPages(tenantId)) {
      const known = page.map((u) => u.id).filter((id) => mirrored.has(id));
      const existing = known.length ? await this.repository.usersById(customerId, known) : new Map<string, UserDoc>();
      const users = page.map(fromGraphUser).filter((u): u is DirectoryUser => !!u);
      users.forEach((u) => seen.add(u.id));
      const stores = users.map((user) => this.toStore(customerId, user, existing.get(user.id)));
      await this.storeAll(customerId, stores, false);
      for (const s of stores) records.push(recordOf(s.doc));
    }
    const gone = [...mirrored].filter((id) => !seen.has(id));
    await this.repository.removeUsers(customerId, gone);
    await this.repository.index.writeBase(customerId, records, from);
    const at = new Date().toISOString();
    return this.saveState({ id: SYNC_STATE_ID, type: 'graphSync', customerId, tenantId, deltaLink, usersReadAt: at });
  }

  /** One delta round; changed users are read again whole (delta does not carry licenseAssignmentStates). */
  private async applyDelta(customerId: string, state: SyncStateDoc): Promise<{ state: SyncStateDoc; changed: boolean }> {
    const { changes, deltaLink } = await this.client.usersDelta(state.tenantId, state.deltaLink);
    const removed = changes.filter((c) => c['@removed']).map((c) => c.id);
    await this.repository.removeUsers(customerId, removed);
    const changed = [...new Set(changes.filter((c) => !c['@removed']).map((c) => c.id))];
    const stored = changed.length ? (await this.refreshUsers(customerId, state.tenantId, changed)).stored : 0;
    return { state: await this.saveState({ ...state, deltaLink, usersReadAt: new Date().toISOString() }), changed: removed.length + stored > 0 };
  }

  /**
   * The given users read fresh from Graph and written into the mirror. `changed`: those whose licenses
   * differ from what the mirror held, i.e. changed outside License Desk since License Desk last read them.
   */
  async refreshUsers(customerId: string, tenantId: string, ids: string[]): Promise<{ users: Map<string, UserDoc>; changed: Set<string>; stored: number }> {
    const [fresh, mirrored] = await Promise.all([this.client.getUsers(tenantId, ids), this.repository.usersById(customerId, ids)]);
    const users = new Map<string, UserDoc>();
    const changed = new Set<string>();
    const stores: StoredUser[] = [];
    const gone: string[] = [];
    for (const id of ids) {
      const g = fresh.get(id);
      const before = mirrored.get(id);
      const user = g ? fromGraphUser(g) : undefined;
      if (!user) {
        if (before && g === null) gone.push(id);
        continue;
      }
      if (before && licenseKey(before) !== licenseKey(user)) changed.add(id);
      const next = this.toStore(customerId, user, before);
      stores.push(next);
      users.set(id, next.doc);
    }
    await this.repository.removeUsers(customerId, gone);
    await this.storeAll(customerId, stores);
    return { users, changed, stored: gone.length + stores.filter((s) => s.write).length };
  }

  /** The user after License Desk's own write: Graph's answer (or what was written), with the mark recorded. */
  async recordWrite(customerId: string, user: DirectoryUser, before: UserDoc | undefined, mark: LicenseChangeMark): Promise<UserDoc> {
    const marks = [mark, ...(before?.licenseChanges ?? []).filter((m) => m.reservationKey !== mark.reservationKey)].slice(0, MAX_LICENSE_MARKS);
    const doc = toUserDoc(customerId, user, marks, before?.rev);
    await this.writes.upsert(doc);
    return doc;
  }

  /** Products from GET /subscribedSkus into the mirror; seats held by running changes stay counted. */
  async refreshProducts(customerId: string, tenantId: string): Promise<SkuDoc[]> {
    const skus = (await this.client.subscribedSkus(tenantId)).map(fromGraphSku).filter((s): s is SubscribedSku => !!s);
    const mirrored = new Map((await this.repository.skus(customerId)).map((d) => [d.skuId, d]));
    const held = (doc: SkuDoc) => Object.values(doc.reservations ?? {}).reduce((a, b) => a + b, 0);
    const docs = await mapLimit(skus, 8, async (sku) => {
      const doc = mirrored.get(sku.skuId);
      if (!doc) {
        const created = toSkuDoc(customerId, sku);
        await this.repository.upsert(created);
        return created;
      }
      // Unchanged in Graph and no seat held: nothing to write (the common case after each chunk).
      if (sameSku(doc, sku, held(doc))) return doc;
      return (await this.repository.updateSku(customerId, sku.skuId, (d) => ({ ...d, ...sku, id: d.id, consumedUnits: sku.consumedUnits + held(d) }))) ?? doc;
    });
    // A product new to the mirror joins the summary's list (clicks read the products it lists).
    if (skus.some((s) => !mirrored.has(s.skuId))) await this.repository.markChanged(customerId, true);
    const state = await this.syncState(customerId);
    if (state) await this.saveState({ ...state, productsReadAt: new Date().toISOString() });
    return docs;
  }

  /** A user as Graph has it now, keeping License Desk's marks; written only when something differs. */
  async storeUser(customerId: string, user: DirectoryUser, before: UserDoc | undefined): Promise<UserDoc> {
    const stored = this.toStore(customerId, user, before);
    if (stored.write) await this.writes.upsert(stored.doc);
    return stored.doc;
  }

  private toStore(customerId: string, user: DirectoryUser, before: UserDoc | undefined): StoredUser {
    const doc = toUserDoc(customerId, user, before?.licenseChanges ?? [], before?.rev);
    const write = !before || graphFieldsKey(user) !== graphFieldsKey(pickDirectoryUser(before));
    // Not written: it keeps the stored revision (a fill's index entry for it must not outrank a write made since it was read).
    return { doc: write ? doc : { ...doc, rev: before?.rev }, write };
  }

  /** The users that differ from the mirror, written in batches; the first failure is thrown after the rest. */
  private async storeAll(customerId: string, stores: StoredUser[], index = true): Promise<void> {
    const errors = await this.repository.upsertMany(customerId, stores.filter((s) => s.write).map((s) => s.doc), { index });
    const failure = errors.find((e) => e !== undefined);
    if (failure) throw failure;
  }

  private async saveState(state: SyncStateDoc): Promise<SyncStateDoc> {
    await this.repository.upsert(state);
    return state;
  }
}
