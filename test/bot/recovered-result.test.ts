// After a crash the admin hears the end (issue 10, finding 6): a Save stores where the admin waits
// (conversation reference, progress message) with its operation, and the instance that finishes the
// operation, its recovery sweep, updates that very message to "Licenses updated" through the bot.connector.
import { cosmosBackends } from '../../domain/store/backends';
import { SKU, expectSeatInvariant, request, userId } from '../support/demo';
import { demoDataset, serviceOn } from '../support/store';
import { demoBotPerTest } from '../support/demo-bot';
import { PEOPLE, button, inputs, personalChat, textOf, userChoices } from '../support/teams';

const alex = personalChat(PEOPLE.alex);
const bot = demoBotPerTest({ once: true });

test('a change whose process died: the recovering instance updates the admin\'s progress message to the result', async () => {
  // A Save as Teams sends it: where the admin waits is stored with the operation.
  const customers = await bot.teams.say(alex, 'customers');
  const open = button(customers.card, 'Open');
  const users = await bot.teams.click(alex, customers.id, open.verb, open.data);
  const isla = userChoices(users.card).get('Isla Robinson')!;
  const manageButton = button(users.card, 'Manage licenses');
  const manage = await bot.teams.click(alex, customers.id, manageButton.verb, { ...manageButton.data, selection: isla });
  const e3 = inputs(manage.card).find((i) => i.title === 'Office 365 E3');
  const save = button(manage.card, 'Save');
  await bot.teams.click(alex, customers.id, save.verb, { ...save.data, [e3.id]: 'true' });
  await bot.teams.waitForBackground();
  const [saved] = await bot.teams.service.history({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso');
  const where = (await cosmosBackends(bot.store).operations.get('contoso', saved.operationId))!.notify as { progressId: string };
  expect(where.progressId).toBeDefined();

  // Another change for the same admin, same chat, whose process dies after one user.
  const data = await demoDataset();
  const crashing = serviceOn(bot.store, { chunkSize: 2, crashAfterUserWrites: 1 });
  const ids = ['jordan.miller', 'rachel.kim', 'amelia.wright'].map((u) => userId(data, u));
  await expect(crashing.apply(request({ userIds: ids, licensesToAssign: [{ skuId: SKU.TEAMS_PHONE }] }), undefined, where)).rejects.toThrow('simulated crash');
  const progress = bot.connector.messages.find((m) => m.id === where.progressId)!;
  const versions = progress.versions.length;

  // The bot's recovery sweep finishes it and tells the admin in the message they were watching.
  expect(await bot.teams.service.recoverInterrupted({ staleAfterMs: 0 })).toBe(1);
  await bot.teams.waitForBackground();
  expect(progress.versions.length).toBeGreaterThan(versions);
  const end = textOf(progress.card);
  expect(end).toContain('Licenses updated');
  expect(end).toContain('Assigned: Microsoft Teams Phone Standard');
  await expectSeatInvariant(bot.store);
});
