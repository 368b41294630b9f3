// The selection store over the real emulator: 100,000 selected users keep the session document small,
// a page's ticks touch only the small deltas, a lost reply of a chunk write is harmless, and old bases
// do not pile up (also when two instances change one selection at the same moment).
import type { Container } from '@azure/cosmos';
import { changeSelection, currentSelection, rememberTicks, SelectionTooLargeError } from '../../bot/selection';
import { parseChangeRequest } from '../../domain/change-request';
import { hashOfIds, type SelectionStoreOptions } from '../../bot/selection-store';
import { SessionRepository } from '../../bot/session';
import { turnSession } from '../../bot/turn-session';
import { queryAll } from '../../domain/store/cosmos';
import { cosmosDocuments, type KeyedDocuments } from '../../domain/store/keyed-documents';
import { losingReplies } from '../support/lossy';
import { closeStores, emptyStore } from '../support/store';

afterAll(closeStores);
jest.setTimeout(120_000);

const SESSION = 'a'.repeat(40);
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `${(from + i).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);

/** What a turn of one bot instance sees: its own repository (and cache) on the shared container. */
function instance(documents: KeyedDocuments, options?: SelectionStoreOptions) {
  const sessions = new SessionRepository(documents, options);
  return { ...turnSession(sessions, SESSION), sessions, sessionId: SESSION };
}

/** Writes per kind, counted on the port the store uses. */
function counting(documents: KeyedDocuments) {
  const calls = { read: 0, put: 0, remove: 0, update: 0 };
  const counted: KeyedDocuments = {
    read: (id) => (calls.read++, documents.read(id)),
    readVersioned: (id) => (calls.read++, documents.readVersioned(id)),
    writeIfUnchanged: (doc, version) => (calls.update++, documents.writeIfUnchanged(doc, version)),
    update: (id, change) => (calls.update++, documents.update(id, change)),
    put: (doc) => (calls.put++, documents.put(doc)),
    remove: (id) => (calls.remove++, documents.remove(id)),
  };
  return { documents: counted, calls };
}

const chunkDocs = (container: Container) =>
  queryAll<{ id: string; _etag: string; ids: string[] }>(container, 'SELECT c.id, c._etag, c.ids FROM c WHERE STARTSWITH(c.id, @p)', [{ name: '@p', value: `sel-${SESSION}` }]);

test('100,000 selected users: the session document stays far below 2 MB, the ids are all there', async () => {
  const store = await emptyStore();
  const ctx = instance(cosmosDocuments(store.containers.sessions));
  const all = ids(100_000);
  expect(await changeSelection(ctx, { kind: 'replace', ids: all })).toBe(100_000);

  const raw = await cosmosDocuments(store.containers.sessions).read(SESSION);
  expect(Buffer.byteLength(JSON.stringify(raw))).toBeLessThan(2_000); // a reference: key, count, chunks
  const chunks = await chunkDocs(store.containers.sessions);
  expect(chunks).toHaveLength(20);
  for (const c of chunks) expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(2 * 1024 * 1024 * 0.2);

  // Another instance (nothing cached) reads the same selection.
  const other = instance(cosmosDocuments(store.containers.sessions));
  const selection = await currentSelection(other);
  expect(selection.count).toBe(100_000);
  expect(selection.has(all[77_777])).toBe(true);
  expect(selection.has(ids(1, 100_000)[0])).toBe(false);
  const got = selection.ids();
  expect(got).toHaveLength(100_000);
  expect(hashOfIds(got)).toBe(hashOfIds(all)); // the same ids (compared by hash: toEqual on 100,000 is slow)
  expect(selection.hash).toBe(hashOfIds(all));
});

test('ticks on a page of a 100,000 base touch only the deltas: no chunk written, read or deleted', async () => {
  const store = await emptyStore();
  const base = ids(100_000);
  await changeSelection(instance(cosmosDocuments(store.containers.sessions)), { kind: 'replace', ids: base });
  const before = await chunkDocs(store.containers.sessions);

  const { documents, calls } = counting(cosmosDocuments(store.containers.sessions));
  const ctx = instance(documents);
  await currentSelection(ctx); // the base is read once per instance, then kept by its key
  Object.assign(calls, { read: 0, put: 0, remove: 0, update: 0 });
  const page = [...base.slice(500, 517), ...ids(3, 200_000)]; // 17 selected users and 3 new ones on the page
  const ticked = [...base.slice(500, 512), ...ids(3, 200_000)]; // 5 unticked, 3 ticked
  await rememberTicks(ctx, { pageUserIds: page, selection: ticked });
  expect(calls).toEqual({ read: 0, put: 0, remove: 0, update: 1 });

  const raw = (await cosmosDocuments(store.containers.sessions).read(SESSION)) as { selection: { added: string[]; removed: string[] } };
  expect(raw.selection.removed.sort()).toEqual(base.slice(512, 517).sort());
  expect(raw.selection.added.sort()).toEqual(ids(3, 200_000).sort());
  expect(Buffer.byteLength(JSON.stringify(raw))).toBeLessThan(4_000);
  expect((await chunkDocs(store.containers.sessions)).map((c) => c._etag)).toEqual(before.map((c) => c._etag));

  const selection = await currentSelection(instance(cosmosDocuments(store.containers.sessions)));
  expect(selection.count).toBe(100_000 - 5 + 3);
  expect(selection.has(base[511])).toBe(true);
  expect(selection.has(base[512])).toBe(false);
  expect(selection.has(ids(1, 200_001)[0])).toBe(true);
});

const SMALL: SelectionStoreOptions = { idsPerChunk: 7, deltaLimit: 10, cacheIds: 1_000 };

test('deltas past their bound are folded into a new base, and the old base is deleted', async () => {
  const store = await emptyStore();
  const ctx = instance(cosmosDocuments(store.containers.sessions), SMALL);
  await changeSelection(ctx, { kind: 'replace', ids: ids(30) }); // over the bound at once: a base of 5 chunks
  const first = await chunkDocs(store.containers.sessions);
  expect(first).toHaveLength(5);
  await changeSelection(ctx, { kind: 'add', ids: ids(4, 100) }); // inline
  expect(await chunkDocs(store.containers.sessions)).toHaveLength(5);
  await changeSelection(ctx, { kind: 'add', ids: ids(8, 200) }); // 12 in the deltas: folded
  const second = await chunkDocs(store.containers.sessions);
  expect(second).toHaveLength(6); // 42 ids in chunks of 7; none of the first base left
  expect(second.some((c) => first.some((f) => f.id === c.id))).toBe(false);
  const selection = await currentSelection(instance(cosmosDocuments(store.containers.sessions), SMALL));
  expect(selection.count).toBe(42);
  await changeSelection(ctx, { kind: 'replace', ids: [] });
  expect(await chunkDocs(store.containers.sessions)).toHaveLength(0);
});

test('a chunk or session write whose reply is lost is repeated harmlessly', async () => {
  const store = await emptyStore();
  // Every other write is applied but its reply lost (408): upserts of chunks, and the session's own writes.
  let n = 0;
  const loseUpserts = new Proxy(store.containers.sessions, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop !== 'items') return typeof value === 'function' ? value.bind(target) : value;
      return new Proxy(target.items, {
        get(items, p) {
          const v = Reflect.get(items, p);
          if (p !== 'upsert') return typeof v === 'function' ? v.bind(items) : v;
          return async (...args: unknown[]) => {
            const response = await (v as (...a: unknown[]) => Promise<unknown>).apply(items, args);
            if (n++ % 2 === 0) throw Object.assign(new Error('Request timed out'), { code: 408 });
            return response;
          };
        },
      });
    },
  });
  const lossy = losingReplies(loseUpserts, (i) => i % 2 === 1);
  const ctx = instance(cosmosDocuments(lossy.container), SMALL);
  const all = ids(30);
  expect(await changeSelection(ctx, { kind: 'replace', ids: all })).toBe(30);
  expect(n).toBeGreaterThan(5); // the upserts were repeated
  expect(lossy.writes()).toBeGreaterThan(0);
  // The same click again (Teams retries it): the same base, the same chunks.
  expect(await changeSelection(ctx, { kind: 'replace', ids: all })).toBe(30);
  const chunks = await chunkDocs(store.containers.sessions);
  expect(chunks).toHaveLength(5);
  expect(chunks.flatMap((c) => c.ids).sort()).toEqual([...all].sort());
  const selection = await currentSelection(instance(cosmosDocuments(store.containers.sessions), SMALL));
  expect(selection.ids().sort()).toEqual([...all].sort());
});

test('two instances changing one selection at once: both changes kept, no base left behind', async () => {
  const store = await emptyStore();
  await changeSelection(instance(cosmosDocuments(store.containers.sessions), SMALL), { kind: 'replace', ids: ids(20) });
  const a = instance(cosmosDocuments(store.containers.sessions), SMALL);
  const b = instance(cosmosDocuments(store.containers.sessions), SMALL);
  await Promise.all([changeSelection(a, { kind: 'add', ids: ids(15, 100) }), changeSelection(b, { kind: 'add', ids: ids(15, 200) })]);
  const selection = await currentSelection(instance(cosmosDocuments(store.containers.sessions), SMALL));
  expect(selection.count).toBe(50);
  const session = (await cosmosDocuments(store.containers.sessions).read(SESSION)) as { selection: { base: { key: string; chunks: number } } };
  const chunks = await chunkDocs(store.containers.sessions);
  expect(chunks.every((c) => c.id.includes(session.selection.base.key.slice(0, 40)))).toBe(true);
  expect(chunks).toHaveLength(session.selection.base.chunks);
});

test('past 100,000 users the selection is refused before anything is written, and a change request too', async () => {
  const store = await emptyStore();
  const { documents, calls } = counting(cosmosDocuments(store.containers.sessions));
  const ctx = instance(documents);
  await expect(changeSelection(ctx, { kind: 'replace', ids: ids(100_001) })).rejects.toBeInstanceOf(SelectionTooLargeError);
  expect(calls.put + calls.update).toBe(0);
  const change = (n: number) => ({ customerKey: 'contoso', userIds: ids(n), licensesToAssign: [{ skuId: ids(1)[0] }], requestedBy: { aadObjectId: 'x' }, idempotencyKey: 'k'.repeat(10) });
  expect(() => parseChangeRequest(change(100_001))).toThrow(expect.objectContaining({ problem: 'tooManyUsers', params: { max: 100_000 } }));
  expect(parseChangeRequest(change(100_000)).userIds).toHaveLength(100_000);
});
