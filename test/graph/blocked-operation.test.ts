// A change whose customer tenant stops answering mid-run (consent removed): the operation is kept,
// blocked and let go, its remaining users neither done nor failed; the recovery sweep leaves it alone
// for a while (no retry storm against the identity platform), then finishes it once consent is back.
import { CustomerConnectionError } from '../../domain/graph';
import { GRAPH_RUNNER_OPTIONS } from '../../domain/store/backends';
import { OperationRepository } from '../../domain/store/operations';
import { request, SKU } from '../support/demo';
import { IDS } from '../support/graph-fake/server';
import { graphMode, graphSuite } from '../support/graph-mode';

const { agent, fakes } = graphSuite();

test('consent removed mid-run: the change waits, blocked; the sweep retries it only after a while and then finishes it, each user once', async () => {
  const mode = await graphMode(agent, { extraUsers: { contoso: 6 } });
  fakes.push(mode.fake);
  const { fake, store } = mode;
  const t = fake.tenant(IDS.contoso);
  t.skus.find((s) => s.skuId === SKU.POWER_BI_PRO)!.prepaidUnits.enabled = 500;
  const users = [...t.users.values()].filter((u) => String(u.displayName).startsWith('Load User')).map((u) => u.id);
  const svc = mode.service(undefined, { ...GRAPH_RUNNER_OPTIONS, chunkSize: 3 });
  fake.revokeConsentAfterWrites(IDS.contoso, 3);
  const req = request({ userIds: users, licensesToAssign: [{ skuId: SKU.POWER_BI_PRO }] });
  const error = await svc.apply(req).catch((e) => e);
  expect(error).toBeInstanceOf(CustomerConnectionError);
  expect(error).toMatchObject({ code: 'consentMissing', customer: { displayName: 'Contoso Ltd.' } });

  const operations = new OperationRepository(store.containers.operations);
  const [{ id: operationId }] = await operations.recent('contoso', 1);
  const op = (await operations.get('contoso', operationId))!;
  expect(op).toMatchObject({ status: 'running', completedChunks: 1, counts: { succeeded: 3, failed: 0, noChange: 0 }, blocked: { reason: 'consentMissing' } });
  const blocked = await svc.operation({ aadObjectId: req.requestedBy.aadObjectId }, 'contoso', operationId);
  expect(blocked).toMatchObject({ blocked: { reason: 'consentMissing' }, userCount: 6, stale: true });
  // Nobody is reported failed: only the finished chunk has results.
  expect(blocked!.results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);

  // Let go at once, but the sweep does not hammer a tenant that refuses us.
  expect(await svc.recoverInterrupted()).toBe(0);
  // Consent is back, and the while has passed (blockedRetryMs 0 here): the sweep finishes it.
  fake.grantConsent(IDS.contoso);
  const later = mode.service(undefined, { ...GRAPH_RUNNER_OPTIONS, chunkSize: 3, blockedRetryMs: 0 });
  expect(await later.recoverInterrupted()).toBe(1);
  const done = (await operations.get('contoso', operationId))!;
  expect(done).toMatchObject({ status: 'completed', counts: { succeeded: 6, failed: 0, noChange: 0 } });
  expect(done.blocked).toBeUndefined();
  expect(users.map((u) => t.applied.get(u))).toEqual(users.map(() => 1));
}, 90_000);
