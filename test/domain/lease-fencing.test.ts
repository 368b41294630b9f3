// Several instances behind one bot: a runner that stalls past its lease while another instance takes
// the operation over never writes again for it (issue 8), and the instance that finishes an operation
// tells the admin who started it where they wait (issue 10, finding 6).
import type { Container } from '@azure/cosmos';
import type { Dataset } from '../../domain/dataset';
import { withUserWriteHook } from '../support/held-write';
import { LeaseLostError, LicenseService, type OperationNotifier, type OperationResult, type Progress } from '../../domain/service';
import { cosmosBackends } from '../../domain/store/backends';
import type { CosmosStore } from '../../domain/store/cosmos';
import { ALEX, SKU, expectSeatInvariant, request } from '../support/demo';
import { closeStores, demoDataset, demoService, directoryOf, serviceOn } from '../support/store';

let data: Dataset;
beforeAll(async () => {
  data = await demoDataset();
});
afterAll(closeStores);

const withoutSku = (skuId: string) => data.customers.find((c) => c.customer.key === 'contoso')!.users.filter((u) => u.usageLocation && !u.assignedLicenses.some((l) => l.skuId === skuId));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every document of a container with its version: what "wrote nothing" is checked against. */
async function snapshot(container: Container): Promise<string> {
  const { resources } = await container.items.query('SELECT * FROM c').fetchAll();
  return JSON.stringify(resources.map((d) => [d.id, d._etag]).sort());
}

/** The store's directory, but the write of one user waits (the process stalls there) until released. */
function stallingAt(store: Pick<CosmosStore, 'containers'>, stallUserId: string) {
  const backends = cosmosBackends(store);
  let reached!: () => void;
  let release!: () => void;
  const atStall = new Promise<void>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  const afterRelease: { outcome?: string; error?: unknown } = {};
  const directory = withUserWriteHook(backends.directory, stallUserId, async (write) => {
    reached();
    await released;
    try {
      const outcome = await write();
      afterRelease.outcome = outcome.status;
      return outcome;
    } catch (error) {
      afterRelease.error = error;
      throw error;
    }
  });
  return { backends: { ...backends, directory }, atStall, release, afterRelease };
}

const LEASE = { leaseMs: 900, staleAfterMs: 900 };

test('a runner stalled past its lease while another instance takes over writes nothing after, and seats stay exact', async () => {
  const { store } = await demoService();
  const users = withoutSku(SKU.TEAMS_PHONE).slice(0, 7).map((u) => u.id);
  const req = request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] });
  // Instance A: its heartbeat is written only with each chunk (renewEveryMs 0), as a frozen process's would be.
  const a = stallingAt(store, users[4]);
  const instanceA = new LicenseService(a.backends, { chunkSize: 3, renewEveryMs: 0, ...LEASE });
  const applying = instanceA.apply(req).then(
    (r) => ({ result: r }),
    (error) => ({ error }),
  );
  await a.atStall; // chunk 0 is done; A is stuck inside chunk 1
  const operations = cosmosBackends(store).operations;
  const [{ operationId }] = await instanceA.history(ALEX, 'contoso');
  while (Date.now() - Date.parse((await operations.get('contoso', operationId))!.heartbeatAt) <= LEASE.staleAfterMs) await sleep(100);

  // Instance B sees A's heartbeat stale, takes over, and finishes.
  const instanceB = serviceOn(store, { chunkSize: 3, ...LEASE });
  expect(await instanceB.recoverInterrupted()).toBe(1);
  const finished = (await operations.get('contoso', operationId))!;
  expect(finished).toMatchObject({ status: 'completed', attempt: 2 });
  const before = [await snapshot(store.containers.directory), await snapshot(store.containers.operations)];

  // A wakes up: its stalled write is fenced off, and it writes nothing at all.
  a.release();
  const outcomeA = await applying;
  expect(a.afterRelease.error).toBeInstanceOf(LeaseLostError);
  expect(a.afterRelease.outcome).toBeUndefined();
  expect([await snapshot(store.containers.directory), await snapshot(store.containers.operations)]).toEqual(before);
  // A answers its caller with the operation B finished, not with an error.
  expect('result' in outcomeA && outcomeA.result).toMatchObject({ operationId, status: 'completed', counts: { succeeded: 7 } });

  await expectSeatInvariant(store);
  for (const id of users) {
    const marks = (await directoryOf(store).user('contoso', id))!.licenseChanges.filter((m) => m.operationId === operationId);
    expect(marks).toHaveLength(1); // every user changed exactly once
  }
});

test('the instance that finishes an interrupted operation tells the admin where they wait: progress, then the result', async () => {
  const { store, service } = await demoService({ chunkSize: 2, crashAfterUserWrites: 3 });
  const req = request({ userIds: withoutSku(SKU.TEAMS_PHONE).slice(0, 6).map((u) => u.id), licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] });
  const notify = { conversation: 'a chat', progressMessage: 'activity-17' };
  await expect(service.apply(req, undefined, notify)).rejects.toThrow('simulated crash');
  const recovered = serviceOn(store, { chunkSize: 2 });
  const told: { kind: string; notify: unknown; progress?: Progress; result?: OperationResult }[] = [];
  const notifier: OperationNotifier = {
    progress: async (n, progress) => void told.push({ kind: 'progress', notify: n, progress }),
    finished: async (n, result) => void told.push({ kind: 'finished', notify: n, result }),
  };
  recovered.notifyWith(notifier);
  expect(await recovered.recoverInterrupted({ staleAfterMs: 0 })).toBe(1);
  const end = told.at(-1)!;
  expect(end.kind).toBe('finished');
  expect(end.notify).toEqual(notify);
  expect(end.result).toMatchObject({ status: 'completed', counts: { succeeded: 6, failed: 0, noChange: 0 } });
  expect(end.result!.results).toHaveLength(6);
  expect(told.filter((t) => t.kind === 'finished')).toHaveLength(1);
  await expectSeatInvariant(store);
});

test('a run stopped for a restart finishes its chunk, lets go of the lease, and the next instance resumes at once', async () => {
  const { store } = await demoService();
  const users = withoutSku(SKU.TEAMS_PHONE).slice(0, 7).map((u) => u.id);
  const req = request({ userIds: users, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] });
  const a = stallingAt(store, users[1]);
  // One chunk at a time, so "its chunk" is one; test/domain/pipelined-chunks.test.ts stops three in flight.
  const instanceA = new LicenseService(a.backends, { chunkSize: 3, chunksInFlight: 1 });
  const applying = instanceA.apply(req).catch((e) => e);
  await a.atStall;
  const stopping = instanceA.stop();
  await expect(instanceA.apply(request({ userIds: users.slice(0, 1), licensesToAssign: [{ skuId: SKU.E3 }] }))).rejects.toMatchObject({ code: 'stopping' });
  a.release(); // the chunk in flight finishes and is journalled
  await stopping;
  expect(await applying).toMatchObject({ code: 'stopping' });
  const [op] = await instanceA.history(ALEX, 'contoso');
  const stored = (await cosmosBackends(store).operations.get('contoso', op.operationId))!;
  expect(stored).toMatchObject({ status: 'running', completedChunks: 1, heartbeatAt: new Date(0).toISOString() });
  expect(a.afterRelease.outcome).toBe('applied');
  await expectSeatInvariant(store);
  // The next instance does not wait out the 60 s lease: the released operation is stale at once.
  const next = serviceOn(store, { chunkSize: 3 });
  expect(await next.recoverInterrupted()).toBe(1);
  expect((await next.operation(ALEX, 'contoso', op.operationId))!.counts).toEqual({ succeeded: 7, failed: 0, noChange: 0 });
  await expectSeatInvariant(store);
});
