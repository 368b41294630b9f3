// After a crash the admin hears the end (issue 10, finding 6): a Save stores where the admin waits
// (conversation reference, progress message) with its operation, and the instance that finishes the
// operation, its recovery sweep, updates that very message to "Licenses updated" through the connector.
import { cosmosBackends } from '../../domain/store/backends';
import type { CosmosStore } from '../../domain/store/cosmos';
import { SKU, expectSeatInvariant, request, userId } from '../support/demo';
import { closeStores, demoDataset, demoService, serviceOn } from '../support/store';
import { FakeConnector, PEOPLE, TeamsHarness, button, inputs, personalChat, textOf, userChoices } from '../support/teams';

let connector: FakeConnector;
let teams: TeamsHarness;
let store: CosmosStore;
const alex = personalChat(PEOPLE.alex);

beforeAll(async () => {
  connector = await new FakeConnector().start();
  ({ store } = await demoService());
  teams = await new TeamsHarness(store, connector).start();
});
afterAll(async () => {
  await teams.stop();
  await connector.stop();
  await closeStores();
});

test('a change whose process died: the recovering instance updates the admin\'s progress message to the result', async () => {
  // A Save as Teams sends it: where the admin waits is stored with the operation.
  const customers = await teams.say(alex, 'customers');
  const open = button(customers.card, 'Open');
  const users = await teams.click(alex, customers.id, open.verb, open.data);
  const isla = userChoices(users.card).get('Isla Robinson')!;
  const manageButton = button(users.card, 'Manage licenses');
  const manage = await teams.click(alex, customers.id, manageButton.verb, { ...manageButton.data, selection: isla });
  const e3 = inputs(manage.card).find((i) => i.title === 'Office 365 E3');
  const save = button(manage.card, 'Save');
  await teams.click(alex, customers.id, save.verb, { ...save.data, [e3.id]: 'true' });
  await teams.waitForBackground();
  const [saved] = await teams.service.history({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso');
  const where = (await cosmosBackends(store).operations.get('contoso', saved.operationId))!.notify as { progressId: string };
  expect(where.progressId).toBeDefined();

  // Another change for the same admin, same chat, whose process dies after one user.
  const data = await demoDataset();
  const crashing = serviceOn(store, { chunkSize: 2, crashAfterUserWrites: 1 });
  const ids = ['jordan.miller', 'rachel.kim', 'amelia.wright'].map((u) => userId(data, u));
  await expect(crashing.apply(request({ userIds: ids, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] }), undefined, where)).rejects.toThrow('simulated crash');
  const progress = connector.messages.find((m) => m.id === where.progressId)!;
  const versions = progress.versions.length;

  // The bot's recovery sweep finishes it and tells the admin in the message they were watching.
  expect(await teams.service.recoverInterrupted({ staleAfterMs: 0 })).toBe(1);
  await teams.waitForBackground();
  expect(progress.versions.length).toBeGreaterThan(versions);
  const end = textOf(progress.card);
  expect(end).toContain('Licenses updated');
  expect(end).toContain('Assigned: Microsoft Teams Phone Standard');
  await expectSeatInvariant(store);
});
