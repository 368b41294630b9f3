// One click, one answer in the chat (issue 10, finding 8): Teams delivers the same Save invoke again
// when it thinks the first was lost, sometimes at the very same moment. The change is applied once and
// one progress message (then "Licenses updated") is posted, however many times the click arrives.
import { demoBotPerTest } from '../support/demo-bot';
import { PEOPLE, button, inputs, personalChat, textOf, userChoices } from '../support/teams';
import { SKU, expectSeatInvariant } from '../support/demo';

const alex = personalChat(PEOPLE.alex);

const bot = demoBotPerTest();

/** Manage licenses for two Contoso users, E3 ticked: the Save click, ready to be delivered. */
async function saveClick() {
  const customers = await bot.teams.say(alex, 'customers');
  const open = button(customers.card, 'Open');
  const users = await bot.teams.click(alex, customers.id, open.verb, open.data);
  const ticks = [...userChoices(users.card).entries()].filter(([name]) => name === 'Isla Robinson' || name === 'Ananya Iyer').map(([, id]) => id);
  const manageButton = button(users.card, 'Manage licenses');
  const manage = await bot.teams.click(alex, customers.id, manageButton.verb, { ...manageButton.data, selection: ticks.join(',') });
  const e3 = inputs(manage.card).find((i) => i.title === 'Office 365 E3');
  const save = button(manage.card, 'Save');
  return { id: customers.id, verb: save.verb, data: { ...save.data, [e3.id]: 'true' } };
}

const e3Available = async () => (await bot.teams.service.products({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso')).find((p) => p.skuId === SKU.E3)!.available;
const resultMessages = (since: number) => bot.connector.messages.slice(since).filter((m) => textOf(m.card).includes('Licenses updated'));
const progressMessages = (since: number) => bot.connector.messages.slice(since).filter((m) => textOf(m.versions[0]).includes('Saving license changes'));

test('the same Save delivered twice at the same moment: applied once, one progress message, one "Licenses updated"', async () => {
  const click = await saveClick();
  const before = await e3Available();
  const since = bot.connector.messages.length;
  const answers = await Promise.all([bot.teams.click(alex, click.id, click.verb, click.data), bot.teams.click(alex, click.id, click.verb, click.data)]);
  await bot.teams.waitForBackground();
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  expect(progressMessages(since)).toHaveLength(1);
  expect(resultMessages(since)).toHaveLength(1);
  expect(textOf(resultMessages(since)[0].card)).toContain('2 updated · 0 failed · 0 unchanged');
  expect(await e3Available()).toBe(before - 2);
  await expectSeatInvariant(bot.store);
});

test('the same Save delivered five times in a row: applied once, one result message, the others say it was saved', async () => {
  const click = await saveClick();
  const before = await e3Available();
  const since = bot.connector.messages.length;
  const answers = [];
  for (let i = 0; i < 5; i++) {
    answers.push(await bot.teams.click(alex, click.id, click.verb, click.data));
    await bot.teams.waitForBackground();
  }
  expect(resultMessages(since)).toHaveLength(1);
  for (const again of answers.slice(1)) expect(textOf(again.card)).toMatch(/already been saved|still being saved/);
  expect(await e3Available()).toBe(before - 2);
  await expectSeatInvariant(bot.store);
});
