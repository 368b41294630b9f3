// The two Partner Center procedures, end to end over HTTP as Teams sends them, with a fake connector
// receiving the replies and the real domain on the emulator.
import { SKU } from '../support/demo';
import { demoBotPerTest } from '../support/demo-bot';
import { PEOPLE, button, inputs, personalChat, textOf, userChoices, type Chat } from '../support/teams';
import { userId } from '../support/demo';
import { demoDataset } from '../support/store';
import type { Dataset } from '../../domain/dataset';

let demo: Dataset;
const userChoicesId = (upn: string) => userId(demo, upn);
const alex = personalChat(PEOPLE.alex);

const bot = demoBotPerTest();
beforeAll(async () => {
  demo = await demoDataset();
});

const e3Available = async () => (await bot.teams.service.products({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso')).find((p) => p.skuId === SKU.E3)!.available;

/** Opens Contoso's users list from the customers card; returns the users card message. */
async function openContoso(chat: Chat) {
  const customers = await bot.teams.say(chat, 'customers');
  expect(textOf(customers.card)).toContain('Contoso Ltd.');
  const pick = button(customers.card, 'Open');
  const users = await bot.teams.click(chat, customers.id, pick.verb, pick.data);
  expect(users.status).toBe(200);
  return { id: customers.id, card: users.card };
}

test('assign: pick a customer, tick users on two pages, Manage licenses, Save, see "Licenses updated"', async () => {
  let { id, card } = await openContoso(alex);
  expect(textOf(card)).toContain('Page 1 of 2 · 40 users');
  let users = userChoices(card);
  expect(users.size).toBe(20);
  // Tick two users on page 1, go to page 2 (the ticks travel with the click).
  const page1Ticks = [users.get('Isla Robinson')!, users.get('Ananya Iyer')!];
  const next = button(card, 'Next');
  ({ card } = await bot.teams.click(alex, id, next.verb, { ...next.data, selection: page1Ticks.join(',') }));
  expect(textOf(card)).toContain('Page 2 of 2');
  expect(textOf(card)).toContain('2 selected');
  users = userChoices(card);
  const rachel = users.get('Rachel Kim')!;
  // Back to page 1: the ticks are still there.
  const previous = button(card, 'Previous');
  const back = await bot.teams.click(alex, id, previous.verb, { ...previous.data, selection: rachel });
  expect(inputs(back.card).find((i) => i.id === 'selection').value.split(',').sort()).toEqual([...page1Ticks].sort());
  expect(textOf(back.card)).toContain('3 selected');

  const manage = button(back.card, 'Manage licenses');
  ({ card } = await bot.teams.click(alex, id, manage.verb, { ...manage.data, selection: page1Ticks.join(',') }));
  const text = textOf(card);
  expect(text).toContain('Selected users (3)');
  expect(text).toContain('Ananya Iyer, Isla Robinson, Rachel Kim'); // sorted
  expect(text).toContain('☐ None of the selected users has it');
  const e3 = inputs(card).find((i) => i.title === 'Office 365 E3');
  expect(e3).toMatchObject({ type: 'Input.Toggle', value: 'false' });

  const save = button(card, 'Save');
  const saved = await bot.teams.click(alex, id, save.verb, { ...save.data, [e3.id]: 'true' });
  expect(saved.status).toBe(200);
  await bot.teams.waitForBackground();
  const result = bot.connector.last();
  const resultText = textOf(result.card);
  expect(resultText).toContain('Licenses updated');
  expect(resultText).toContain('3 updated · 0 failed · 0 unchanged');
  expect(resultText).toContain('Assigned: Office 365 E3');
  expect(result.versions.length).toBeGreaterThan(1); // it was the progress message, updated in place
  expect(textOf(result.versions[0])).toContain('Saving license changes');
  expect(await e3Available()).toBe(4);

  // The same click again (Teams retries after 15 s): nothing changes twice.
  const again = await bot.teams.click(alex, id, save.verb, { ...save.data, [e3.id]: 'true' });
  expect(textOf(again.card)).toContain('already been saved');
  await bot.teams.waitForBackground();
  expect(await e3Available()).toBe(4);
});

test('revoke: a command opens Manage licenses filled in; the preview explains the dependency; revoking both works', async () => {
  await bot.teams.say(alex, 'use contoso');
  const opened = await bot.teams.say(alex, 'revoke Teams Phone from Jordan Miller');
  let card = opened.card;
  expect(textOf(card)).toContain('Selection set to 1 users from your command');
  const phone = inputs(card).find((i) => i.title === 'Microsoft Teams Phone Standard');
  expect(phone.value).toBe('false'); // unticked: to be revoked
  let save = button(card, 'Save');
  const preview = await bot.teams.click(alex, opened.id, save.verb, { ...save.data, [phone.id]: 'false' });
  const previewText = textOf(preview.card);
  expect(previewText).toContain('Check before saving');
  expect(previewText).toContain('1 of 1 users would not get this change');
  expect(previewText).toMatch(/still depends on MCOEV/);
  expect(previewText).toMatch(/Fix: Remove Skype for Business PSTN Domestic Calling first/);
  expect(() => button(preview.card, 'Save anyway')).toThrow(); // nobody would succeed: nothing to save anyway

  const both = await bot.teams.say(alex, 'revoke Teams Phone, domestic calling plan from jordan.miller@contoso.onmicrosoft.com');
  card = both.card;
  const values = Object.fromEntries(inputs(card).filter((i) => i.id.startsWith('product_')).map((i) => [i.id, i.value]));
  save = button(card, 'Save');
  await bot.teams.click(alex, both.id, save.verb, { ...save.data, ...values });
  await bot.teams.waitForBackground();
  const result = textOf(bot.connector.last().card);
  expect(result).toContain('1 updated · 0 failed');
  expect(result).toMatch(/Revoked: (Microsoft Teams Phone Standard, Skype for Business PSTN Domestic Calling|Skype for Business PSTN Domestic Calling, Microsoft Teams Phone Standard)/);
});

test('a change that partly fails shows the preview; Save anyway applies it and the result lists failures first, with fixes', async () => {
  await bot.teams.say(alex, 'use contoso');
  const opened = await bot.teams.say(alex, 'assign Office 365 E3 to Rachel Kim, Tyler Anderson');
  const e3 = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
  expect(e3.value).toBe('true');
  const save = button(opened.card, 'Save');
  const preview = await bot.teams.click(alex, opened.id, save.verb, { ...save.data, [e3.id]: 'true' });
  expect(textOf(preview.card)).toContain('Tyler Anderson');
  expect(textOf(preview.card)).toContain('no usage location');
  const anyway = button(preview.card, 'Save anyway');
  await bot.teams.click(alex, opened.id, anyway.verb, anyway.data);
  await bot.teams.waitForBackground();
  const result = bot.connector.last().card;
  const lines = textOf(result).split('\n');
  expect(lines).toContain('1 updated · 1 failed · 0 unchanged');
  expect(lines.findIndex((l) => l.startsWith('Failed'))).toBeLessThan(lines.findIndex((l) => l.startsWith('Updated')));
  expect(textOf(result)).toMatch(/Fix: Set the user's usage location/);
  expect(button(result, 'Retry failed')).toBeDefined();
  expect(await e3Available()).toBe(6);
  // Save anyway clicked twice: the second finds the change done.
  const twice = await bot.teams.click(alex, opened.id, anyway.verb, anyway.data);
  expect(textOf(twice.card)).toContain('out of date');
  expect(await e3Available()).toBe(6);
});

test('a reader can look, but Save is refused with a clear card and nothing changes', async () => {
  const megan = personalChat(PEOPLE.megan);
  await bot.teams.say(megan, 'use contoso');
  const opened = await bot.teams.say(megan, 'assign Office 365 E3 to Rachel Kim');
  const e3 = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
  const save = button(opened.card, 'Save');
  const refused = await bot.teams.click(megan, opened.id, save.verb, { ...save.data, [e3.id]: 'true' });
  expect(refused.status).toBe(200);
  expect(textOf(refused.card)).toContain('Not allowed');
  expect(textOf(refused.card)).toContain('Megan Bowen can look at licenses but not change them');
  await bot.teams.waitForBackground();
  expect(await e3Available()).toBe(7);
});

test('an admin scoped to Fabrikam cannot open Contoso, whatever the card says', async () => {
  const adele = personalChat(PEOPLE.adele);
  const customers = await bot.teams.say(adele, 'customers');
  expect(textOf(customers.card)).not.toContain('Contoso');
  const forged = await bot.teams.click(adele, customers.id, 'selectCustomer', { customerKey: 'contoso' });
  expect(textOf(forged.card)).toContain('Adele Vance may not manage contoso');
});

test('the selection lives in Cosmos: a restarted bot still knows it', async () => {
  const { id, card } = await openContoso(alex);
  const users = userChoices(card);
  const keep = button(card, 'Update selection');
  await bot.teams.click(alex, id, keep.verb, { ...keep.data, selection: [users.get('Ashley Johnson'), users.get('Brian Walker')].join(',') });
  await bot.restart();
  const selected = await bot.teams.say(alex, 'selected');
  expect(textOf(selected.card)).toContain('Selected users (2)');
  expect(textOf(selected.card)).toContain('Ashley Johnson');
  expect(textOf(selected.card)).toContain('Brian Walker');
});

test('in a shared chat each admin has their own selection', async () => {
  const group = (from: typeof PEOPLE.alex): Chat => ({ conversation: { id: 'group-chat-id', conversationType: 'groupChat', isGroup: true, tenantId: '00000000-0000-0000-0000-0000000000001' }, from });
  await bot.teams.say(group(PEOPLE.alex), '<at>License Desk</at> use contoso');
  await bot.teams.say(group(PEOPLE.alex), '<at>License Desk</at> assign E3 to Rachel Kim');
  await bot.teams.say(group(PEOPLE.megan), '<at>License Desk</at> use contoso');
  const megans = await bot.teams.say(group(PEOPLE.megan), '<at>License Desk</at> selected');
  expect(textOf(megans.card)).toContain('Selected users (0)');
  const alexs = await bot.teams.say(group(PEOPLE.alex), '<at>License Desk</at> selected');
  expect(textOf(alexs.card)).toContain('Selected users (1)');
});

test('in a channel, @mentioned, each thread reply shares the admin\'s selection for that channel', async () => {
  const thread = (n: number): Chat => ({ conversation: { id: `19:licensing@thread.tacv2;messageid=${n}`, conversationType: 'channel', isGroup: true, tenantId: '00000000-0000-0000-0000-0000000000001' }, from: PEOPLE.alex });
  await bot.teams.say(thread(1), '<at>License Desk</at> use contoso');
  const opened = await bot.teams.say(thread(1), '<at>License Desk</at> assign Teams Phone to Rachel Kim');
  expect(textOf(opened.card)).toContain('Selected users (1)');
  const elsewhere = await bot.teams.say(thread(2), '<at>License Desk</at> selected');
  expect(textOf(elsewhere.card)).toContain('Rachel Kim');
  expect(bot.connector.last().conversationId).toBe('19:licensing@thread.tacv2;messageid=2'); // answered in that thread
});

test('German locale gets German cards; German commands get German answers', async () => {
  const deChat = personalChat(PEOPLE.alex, 'de-DE');
  const help = await bot.teams.say(deChat, 'hilfe');
  expect(textOf(help.card)).toContain('was Sie sagen können');
  await bot.teams.say(deChat, 'kunde contoso');
  const opened = await bot.teams.say(deChat, 'zuweisen Office 365 E3 an Rachel Kim');
  expect(textOf(opened.card)).toContain('Lizenzen verwalten');
  expect(textOf(opened.card)).toContain('Verfügbare Lizenzen');
});

test('an ambiguous product gets choices, and a choice runs the command resolved', async () => {
  await bot.teams.say(alex, 'use contoso');
  const asked = await bot.teams.say(alex, 'assign office 365 to Rachel Kim');
  expect(textOf(asked.card)).toContain('Which product do you mean by "office 365"?');
  const e5 = button(asked.card, 'Office 365 E5');
  const chosen = await bot.teams.click(alex, asked.id, e5.verb, e5.data);
  expect(textOf(chosen.card)).toContain('Manage licenses');
  expect(inputs(chosen.card).find((i) => i.title === 'Office 365 E5').value).toBe('true');
});

test('filter by license and department; drop a user from Selected users; the count follows', async () => {
  const { id, card } = await openContoso(alex);
  const byLicense = await bot.teams.press(alex, id, card, 'Apply filter', { filterLicense: SKU.TEAMS_PHONE });
  expect(textOf(byLicense.card)).toContain('Page 1 of 1 · 3 users');
  expect([...userChoices(byLicense.card).keys()].sort()).toEqual(['Jonas Weber', 'Jordan Miller', 'Priya Sharma']);
  const ticked = await bot.teams.press(alex, id, byLicense.card, 'Select all on this page');
  expect(textOf(ticked.card)).toContain('3 selected');
  const byDepartment = await bot.teams.press(alex, id, ticked.card, 'Apply filter', { filterLicense: '*', filterDepartment: 'Finance' });
  expect(textOf(byDepartment.card)).toMatch(/Page 1 of 1 · \d+ users/);
  expect(textOf(byDepartment.card)).toContain('3 selected'); // kept across filters
  const unfiltered = await bot.teams.press(alex, id, byDepartment.card, 'Clear filter');
  expect(textOf(unfiltered.card)).toContain('Page 1 of 2 · 40 users');
  expect(textOf(unfiltered.card)).toContain('3 selected');
  const selected = await bot.teams.press(alex, id, unfiltered.card, 'Selected users');
  expect(textOf(selected.card).split('\n').filter((l) => ['Jonas Weber', 'Jordan Miller', 'Priya Sharma'].includes(l))).toEqual(['Jonas Weber', 'Jordan Miller', 'Priya Sharma']);
  const dropped = await bot.teams.press(alex, id, selected.card, 'Remove');
  expect(textOf(dropped.card)).toContain('Selected users (2)');
  expect(textOf(dropped.card)).not.toContain('Jonas Weber');
});

test('View service plans: switched-off plans are saved on the users who get the product', async () => {
  await bot.teams.say(alex, 'use contoso');
  const opened = await bot.teams.say(alex, 'assign Office 365 E3 to Rachel Kim');
  const plans = await bot.teams.press(alex, opened.id, opened.card, 'View service plans', { plansFor: SKU.E3 });
  expect(textOf(plans.card)).toContain('Service plans of Office 365 E3');
  const planInput = inputs(plans.card).find((i) => i.id === 'enabledPlans');
  const yammer = planInput.choices.find((c: any) => c.title === 'YAMMER_ENTERPRISE').value;
  const keep = planInput.value.split(',').filter((p: string) => p !== yammer);
  const done = button(plans.card, 'Done');
  const back = await bot.teams.click(alex, opened.id, done.verb, { ...done.data, enabledPlans: keep.join(',') });
  expect(textOf(back.card)).toContain('1 service plans off');
  const e3Again = inputs(back.card).find((i) => i.title === 'Office 365 E3');
  const save = button(back.card, 'Save');
  await bot.teams.click(alex, opened.id, save.verb, { ...save.data, [e3Again.id]: e3Again.value });
  await bot.teams.waitForBackground();
  expect(textOf(bot.connector.last().card)).toContain('1 updated');
  const [rachel] = await bot.teams.service.usersById({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso', [userChoicesId('rachel.kim')]);
  expect(rachel.assignedLicenses).toEqual([{ skuId: SKU.E3, disabledPlans: [yammer] }]);
});

test('Retry failed re-runs only the failed users once their problem is fixed', async () => {
  await bot.teams.say(alex, 'use contoso');
  const opened = await bot.teams.say(alex, 'assign Copilot to Amelia Wright, Ashley Johnson');
  const save = button(opened.card, 'Save');
  const cp = inputs(opened.card).find((i) => i.title === 'Copilot for Microsoft 365');
  const preview = await bot.teams.click(alex, opened.id, save.verb, { ...save.data, [cp.id]: 'true' });
  const anyway = button(preview.card, 'Save anyway');
  await bot.teams.click(alex, opened.id, anyway.verb, anyway.data);
  await bot.teams.waitForBackground();
  const result = bot.connector.last();
  expect(textOf(result.card)).toContain('1 updated · 1 failed');
  // Fix the cause: give Amelia a prerequisite (E3), then retry only her.
  await bot.teams.service.apply({ customerKey: 'contoso', userIds: [userChoicesId('amelia.wright')], licensesToAssign: [{ skuId: SKU.E3, disabledPlans: [] }], requestedBy: { aadObjectId: PEOPLE.alex.aadObjectId, displayName: 'Alex Wilber' }, idempotencyKey: 'fix-amelia-e3' });
  const retry = button(result.card, 'Retry failed');
  await bot.teams.click(alex, result.id, retry.verb, retry.data);
  await bot.teams.waitForBackground();
  const retried = textOf(bot.connector.last().card);
  expect(retried).toContain('1 updated · 0 failed · 0 unchanged');
  expect(retried).toContain('Amelia Wright');
  expect(retried).not.toContain('Ashley Johnson');
  // History lists the three changes, newest first, and each opens its result.
  const history = await bot.teams.say(alex, 'history');
  const lines = textOf(history.card);
  expect(lines).toContain('Recent license changes');
  expect(lines).toContain('Assigned: Copilot for Microsoft 365 → 1 users');
  expect(lines).toContain('Assigned: Copilot for Microsoft 365 → 2 users');
  const open = await bot.teams.press(alex, history.id, history.card, 'Open');
  expect(textOf(open.card)).toContain('Licenses updated');
});

test('View service plans, then Done without a change: holders keep the plans they have', async () => {
  await bot.teams.say(alex, 'use contoso');
  const opened = await bot.teams.say(alex, 'assign Teams Phone to Sophie Becker, Charlotte Davies');
  const plans = await bot.teams.press(alex, opened.id, opened.card, 'View service plans', { plansFor: SKU.E3 });
  const back = await bot.teams.press(alex, opened.id, plans.card, 'Done');
  expect(textOf(back.card)).not.toContain('service plans off');
  await bot.teams.press(alex, opened.id, back.card, 'Save');
  await bot.teams.waitForBackground();
  const result = textOf(bot.connector.last().card);
  expect(result).toContain('2 updated · 0 failed');
  expect(result).not.toContain('Office 365 E3');
  const [sophie] = await bot.teams.service.usersById({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso', [userChoicesId('sophie.becker')]);
  expect(sophie.assignedLicenses.find((l) => l.skuId === SKU.E3)!.disabledPlans).toHaveLength(1);
});

test('after View service plans and Back, Save changes only what the admin changed: nothing held is revoked', async () => {
  await bot.teams.say(alex, 'use contoso');
  const opened = await bot.teams.say(alex, "assign Power BI Pro to Ashley Johnson, Kevin O'Brien");
  // The first product's "View service plans" (the card's inputs travel along), then Cancel.
  const plans = await bot.teams.press(alex, opened.id, opened.card, 'View service plans');
  expect(textOf(plans.card)).toContain('Service plans of Copilot for Microsoft 365');
  const back = await bot.teams.press(alex, opened.id, plans.card, 'Cancel');
  const e3 = inputs(back.card).find((i) => i.title === 'Office 365 E3');
  expect(e3.value).toBe('true'); // both hold it, and the card says so
  expect(inputs(back.card).find((i) => i.title === 'Power BI Pro').value).toBe('true'); // the command's choice survives
  await bot.teams.press(alex, opened.id, back.card, 'Save');
  await bot.teams.waitForBackground();
  const result = textOf(bot.connector.last().card);
  expect(result).toContain('2 updated · 0 failed');
  expect(result).toContain('Assigned: Power BI Pro');
  expect(result).not.toContain('Revoked');
});

test('a Manage licenses card older than the selection is refused as out of date, and changes nothing', async () => {
  const { id, card } = await openContoso(alex);
  const users = userChoices(card);
  const manage = await bot.teams.press(alex, id, card, 'Manage licenses', { selection: [users.get('Ashley Johnson'), users.get('Brian Walker')].join(',') });
  expect(textOf(manage.card)).toContain('Selected users (2)');
  // Meanwhile, in another card, Jonas Weber (Teams Phone holder) joins the selection.
  const list = await bot.teams.say(alex, 'users');
  await bot.teams.press(alex, list.id, list.card, 'Update selection', { selection: [users.get('Ashley Johnson'), users.get('Brian Walker'), users.get('Jonas Weber')].join(',') });
  const stale = await bot.teams.press(alex, id, manage.card, 'Save');
  expect(textOf(stale.card)).toContain('This card is out of date');
  await bot.teams.waitForBackground();
  const phone = (await bot.teams.service.products({ aadObjectId: PEOPLE.alex.aadObjectId }, 'contoso')).find((p) => p.skuId === SKU.TEAMS_PHONE)!;
  expect(phone.available).toBe(7);
});

describe('bad input gets a clear answer, never a crash', () => {
  test('unknown verb, bad data, missing verb: 400 with a message; the record is unchanged', async () => {
    const unknown = await bot.teams.click(alex, 'x', 'launchMissiles', {});
    expect(unknown.status).toBe(400);
    expect(unknown.body.value.message).toContain('Unknown action');
    const bad = await bot.teams.click(alex, 'x', 'customersPage', { page: 'minus one' });
    expect(bad.status).toBe(400);
    expect(bad.body.value.message).toMatch(/page/);
    const noVerb = await bot.teams.post({ type: 'invoke', name: 'adaptiveCard/action', serviceUrl: bot.connector.url, channelId: 'msteams', from: PEOPLE.alex, conversation: alex.conversation, recipient: { id: 'bot' }, value: { action: { type: 'Action.Execute' } } });
    expect(noVerb.status).toBe(400);
    expect(await e3Available()).toBe(7);
  });

  test('not an activity, or not JSON: 400', async () => {
    expect((await bot.teams.post({ hello: 'world' })).status).toBe(400);
    expect((await bot.teams.post('{not json')).status).toBe(400);
  });

  test('Action.Submit with junk: the card is replaced by an explanation', async () => {
    const sent = await bot.teams.say(alex, 'help');
    const res = await bot.teams.submit(alex, sent.id, { verb: 42 });
    expect(res.status).toBe(200);
    expect(textOf(bot.connector.messages.find((m) => m.id === sent.id)!.card)).toContain('Unknown action');
  });

  test('unknown text gets help', async () => {
    const reply = await bot.teams.say(alex, 'make me a sandwich');
    expect(textOf(reply.card)).toContain('I did not understand "make me a sandwich"');
  });

  test('clicking Manage licenses before choosing a customer asks for a customer', async () => {
    const reply = await bot.teams.say(alex, 'licenses');
    expect(textOf(reply.card)).toContain('Pick a customer first.');
  });
});
