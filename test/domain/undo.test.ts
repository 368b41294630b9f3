// Undo in the domain: the undo is a change request like any other — its preview predicts its apply,
// seats and rules hold per user, it is taken from the operation's journal (a directory without marks,
// as the Graph directory may be, undoes the same), and Retry failed of an undo keeps its targets.
import type { Dataset } from '../../domain/dataset';
import type { LicenseService } from '../../domain/service';
import type { CosmosStore } from '../../domain/store/cosmos';
import { ALEX, MEGAN, SKU, expectSeatInvariant, request, userId } from '../support/demo';
import { closeStores, demoDataset, demoService, directoryOf } from '../support/store';

let data: Dataset;
let service: LicenseService;
let store: CosmosStore;
const id = (upn: string) => userId(data, upn);
const licenses = async (upn: string) => (await service.usersById(ALEX, 'contoso', [id(upn)]))[0].assignedLicenses;

beforeAll(async () => {
  data = await demoDataset();
});
beforeEach(async () => {
  ({ store, service } = await demoService());
});
afterAll(closeStores);

test('an undo previews exactly what it then applies, and puts everyone back', async () => {
  const users = ['rachel.kim', 'isla.robinson', 'ananya.iyer'].map(id);
  const done = await service.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(done.counts.succeeded).toBe(3);
  const undo = await service.undoRequest(ALEX, 'contoso', done.operationId, 'undo-key-1');
  expect(undo).toMatchObject({ mode: 'undo', userIds: users, licensesToRemove: [SKU.E3], licensesToAssign: [] });
  const preview = await service.preview(undo);
  const applied = await service.apply(undo);
  expect(applied.results.map((r) => [r.userId, r.status, r.removed])).toEqual(preview.results.map((r) => [r.userId, r.status, r.removed]));
  for (const upn of ['rachel.kim', 'isla.robinson', 'ananya.iyer']) expect(await licenses(upn)).toEqual([]);
  // Applied again with the same key: the recorded result, nothing changed twice.
  expect((await service.apply(undo)).replayed).toBe(true);
  await expectSeatInvariant(store);
});

test('the journal, not the users\' marks, says what to put back: a directory without marks undoes the same', async () => {
  const done = await service.apply(request({ userIds: [id('kevin.obrien')], mode: 'remove', licensesToRemove: [SKU.E3] }));
  expect(done.counts.succeeded).toBe(1);
  // Wipe every mark, as a directory that keeps none (Graph's mirror may not) would have it.
  const directory = directoryOf(store);
  const users = await directory.usersById('contoso', [id('kevin.obrien')]);
  for (const u of users.values()) await directory.upsert({ ...u, licenseChanges: [] } as typeof u);
  const undone = await service.apply(await service.undoRequest(ALEX, 'contoso', done.operationId, 'undo-no-marks'));
  expect(undone.counts).toEqual({ succeeded: 1, failed: 0, noChange: 0 });
  expect((await licenses('kevin.obrien')).map((l) => l.skuId)).toEqual([SKU.E3]);
});

test('seats are checked on the way back: a seat taken since fails that user with countViolation, Retry failed keeps the undo', async () => {
  // Ashley gives back her E3; then all 8 free E3 seats go to others.
  const revoked = await service.apply(request({ userIds: [id('ashley.johnson')], mode: 'remove', licensesToRemove: [SKU.E3] }));
  const unlicensed = data.customers[0].users.filter((u) => !u.assignedLicenses.length && u.usageLocation).map((u) => u.id);
  const taken = await service.apply(request({ userIds: unlicensed, licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(taken.counts.succeeded).toBe(8);
  const undo = await service.undoRequest(ALEX, 'contoso', revoked.operationId, 'undo-no-seat');
  const result = await service.apply(undo);
  expect(result.results[0]).toMatchObject({ status: 'failed', errors: [{ code: 'countViolation', skuId: SKU.E3 }] });
  // A seat comes free; Retry failed of the undo puts Ashley back with what she had.
  await service.apply(request({ userIds: [unlicensed[0]], mode: 'remove', licensesToRemove: [SKU.E3] }));
  const retry = await service.retryRequest(ALEX, 'contoso', result.operationId, 'retry-undo');
  expect(retry).toMatchObject({ mode: 'undo', userIds: [id('ashley.johnson')] });
  expect((await service.apply(retry!)).counts.succeeded).toBe(1);
  expect(await licenses('ashley.johnson')).toEqual(data.customers[0].users.find((u) => u.id === id('ashley.johnson'))!.assignedLicenses);
  await expectSeatInvariant(store);
});

test('a user changed since is named with what changed and left alone; one already back is no change', async () => {
  const users = ['rachel.kim', 'isla.robinson', 'ananya.iyer'].map(id);
  const done = await service.apply(request({ userIds: users, licensesToAssign: [{ skuId: SKU.E3 }] }));
  await service.apply(request({ userIds: [id('rachel.kim')], licensesToAssign: [{ skuId: SKU.POWER_BI_PRO }] }));
  await service.apply(request({ userIds: [id('isla.robinson')], mode: 'remove', licensesToRemove: [SKU.E3] }));
  const result = await service.apply(await service.undoRequest(ALEX, 'contoso', done.operationId, 'undo-mixed'));
  const [rachel, isla, ananya] = result.results;
  expect(rachel).toMatchObject({ status: 'failed', errors: [{ code: 'changedSinceUndoneChange', params: { assignedSince: ['Power BI Pro'], removedSince: [], plansChangedSince: [] } }] });
  expect(isla.status).toBe('noChange');
  expect(ananya).toMatchObject({ status: 'succeeded', removed: [SKU.E3] });
});

test('undo needs the permissions of the change: a reader is refused; a change that changed nobody cannot be undone', async () => {
  const done = await service.apply(request({ userIds: [id('rachel.kim')], licensesToAssign: [{ skuId: SKU.E3 }] }));
  const undo = await service.undoRequest(MEGAN, 'contoso', done.operationId, 'undo-by-reader');
  await expect(service.preview(undo)).rejects.toMatchObject({ code: 'accessDenied', reasonCode: 'roleCannot' });
  await expect(service.apply(undo)).rejects.toMatchObject({ code: 'accessDenied' });
  const nothing = await service.apply(request({ userIds: [id('rachel.kim')], licensesToAssign: [{ skuId: SKU.E3 }] }));
  expect(nothing.counts.noChange).toBe(1);
  await expect(service.undoRequest(ALEX, 'contoso', nothing.operationId, 'undo-nothing')).rejects.toMatchObject({ problem: 'nothingToUndo' });
  await expect(service.undoRequest(ALEX, 'contoso', 'op-missing', 'undo-missing')).rejects.toMatchObject({ problem: 'noSuchOperation' });
  // A forged undo whose targets do not fit its users is refused as invalid.
  await expect(service.preview({ ...undo, requestedBy: ALEX, userIds: [id('rachel.kim'), id('isla.robinson')] })).rejects.toMatchObject({ problem: 'invalidChange' });
});
