// GRAPH_CUSTOMERS=gdap through the service: the customers offered are those of partner.json that the
// partner's GDAP relationships reach (GET /tenantRelationships/delegatedAdminCustomers in the partner's
// tenant, matched by tenant id); one whose relationship ended is named with the fix, the others work.
import { CustomerConnectionError, GraphClient, GraphDirectory } from '../../domain/graph';
import { DirectoryRepository } from '../../domain/store/directory';
import { OperationRepository } from '../../domain/store/operations';
import { GdapPartnerRepository } from '../../domain/graph/gdap-partner';
import { LicenseService } from '../../domain/service';
import { graphBackends, GRAPH_RUNNER_OPTIONS } from '../../domain/store/backends';
import { ALEX, request, SKU } from '../support/demo';
import { fakeSettings } from '../support/graph-fake/client-setup';
import { IDS } from '../support/graph-fake/server';
import { graphFakeSuite } from '../support/graph-mode';
import { demoService } from '../support/store';

const graph = graphFakeSuite();

const LITWARE = { key: 'litware', displayName: 'Litware Inc.', tenantId: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', defaultDomain: 'litware.onmicrosoft.com' };

test('only customers with a GDAP relationship are offered; one whose relationship ended is named, with the fix', async () => {
  const { store } = await demoService();
  await store.containers.partner.items.upsert({ ...LITWARE, id: LITWARE.key, pk: 'customer' });
  const partnerMode = fakeSettings(graph.fake, 'secret');
  const gdapMode = fakeSettings(graph.fake, 'secret', { GRAPH_CUSTOMERS: 'gdap' });
  const names = async (svc: LicenseService) => (await svc.customersFor(ALEX)).map((c) => c.displayName);
  // With partner.json alone Litware is offered (Alex's scope covers it)…
  expect(await names(new LicenseService(graphBackends(store, new GraphClient(partnerMode, { agent: graph.agent }), partnerMode), GRAPH_RUNNER_OPTIONS))).toContain('Litware Inc.');
  // …with GDAP it is not: the partner has no relationship with its tenant.
  const client = new GraphClient(gdapMode, { agent: graph.agent });
  const backends = { ...graphBackends(store, client, gdapMode), partner: new GdapPartnerRepository(store.containers.partner, client, 0) };
  const svc = new LicenseService(backends, GRAPH_RUNNER_OPTIONS);
  expect(await names(svc)).toEqual(['Contoso Ltd.', 'Fabrikam GmbH']);
  expect(graph.fake.graphRequests(IDS.partner).some((r) => r.path === '/v1.0/tenantRelationships/delegatedAdminCustomers')).toBe(true);

  // Contoso's relationship ends: it is no longer offered, and opening it names it and what is missing.
  const list = graph.fake.world.delegatedAdminCustomers.get(IDS.partner)!;
  list.splice(list.findIndex((c) => c.tenantId === IDS.contoso), 1);
  expect(await names(svc)).toEqual(['Fabrikam GmbH']);
  const error = await svc.listUsers(ALEX, 'contoso', {}, 'first').catch((e) => e);
  expect(error).toBeInstanceOf(CustomerConnectionError);
  expect(error).toMatchObject({ code: 'gdapRelationshipMissing', customer: { displayName: 'Contoso Ltd.' }, params: { tenantId: IDS.contoso } });
  // Fabrikam keeps working.
  expect((await svc.listUsers(ALEX, 'fabrikam', {}, 'first')).total).toBeGreaterThan(0);
}, 90_000);

test('a GDAP relationship that ends in the middle of a change: the change waits, blocked, and names what is missing', async () => {
  const { store } = await demoService();
  const gdapMode = fakeSettings(graph.fake, 'secret', { GRAPH_CUSTOMERS: 'gdap' });
  const client = new GraphClient(gdapMode, { agent: graph.agent });
  const backends = { ...graphBackends(store, client, gdapMode), partner: new GdapPartnerRepository(store.containers.partner, client, 0) };
  const directory = new GraphDirectory(client, new DirectoryRepository(store.containers.directory), backends.partner);
  const svc = new LicenseService({ ...backends, directory }, { ...GRAPH_RUNNER_OPTIONS, chunkSize: 2 });
  const t = graph.fake.tenant(IDS.fabrikam);
  // Exchange Online (Plan 1) revoked from its three holders, two a chunk.
  const users = [...t.users.values()].filter((u) => u.licenseAssignmentStates.some((l) => l.skuId === SKU.EXCHANGE_P1)).map((u) => u.id);
  expect(users).toHaveLength(3);
  const list = graph.fake.world.delegatedAdminCustomers.get(IDS.partner)!;
  graph.fake.afterWrites(IDS.fabrikam, 2, () => list.splice(list.findIndex((c) => c.tenantId === IDS.fabrikam), 1));
  const error = await svc.apply({ ...request({ userIds: users, licensesToRemove: [SKU.EXCHANGE_P1], mode: 'remove' }), customerKey: 'fabrikam' }).catch((e) => e);
  expect(error).toMatchObject({ code: 'gdapRelationshipMissing', customer: { displayName: 'Fabrikam GmbH' } });
  const [{ id }] = await new OperationRepository(store.containers.operations).recent('fabrikam', 1);
  expect(await new OperationRepository(store.containers.operations).get('fabrikam', id)).toMatchObject({ status: 'running', completedChunks: 1, blocked: { reason: 'gdapRelationshipMissing' } });
}, 90_000);
