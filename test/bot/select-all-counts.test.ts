// Select all matching on a customer of a few thousand users, over HTTP as Teams sends the clicks: the
// selection is stored compactly, Manage licenses shows counts (not who holds what) and stays under the
// Teams card limit, and Save's preview and result count the failures per reason first.
import { bigTenant } from '../../bench/big-tenant';
import { sessionIdFor } from '../../bot/session';
import { cosmosDocuments } from '../../domain/store/keyed-documents';
import { SKU } from '../support/demo';
import { closeStores, demoDataset, demoService } from '../support/store';
import { FakeConnector, PEOPLE, TeamsHarness, button, inputs, personalChat, textOf } from '../support/teams';

const USERS = 2100; // past the 2,000 ids a session keeps inline: the selection becomes a base in chunks
const TEAMS_CARD_LIMIT = 28 * 1024;

test('select all 2,100 matching → Manage licenses with counts under 28 KB → Save → result counted per reason', async () => {
  const data = bigTenant(await demoDataset(), USERS);
  const { store } = await demoService({}, data);
  const connector = await new FakeConnector().start();
  const teams = await new TeamsHarness(store, connector).start();
  try {
    const chat = personalChat(PEOPLE.alex);
    const sessionId = sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId);
    await teams.sessions().update(sessionId, (s) => ({ ...s, customerKey: 'bigcorp' }));
    const users = await teams.say(chat, 'users');
    const all = button(users.card, `Select all ${USERS.toLocaleString('en-US')} matching`);
    const selected = await teams.click(chat, users.id, all.verb, all.data);
    expect(textOf(selected.card)).toContain(`${USERS} selected`);

    // The session holds a reference to the base, not 2,100 ids.
    const raw = await cosmosDocuments(store.containers.sessions).read(sessionId);
    expect(Buffer.byteLength(JSON.stringify(raw))).toBeLessThan(4_000);

    const manage = await teams.say(chat, 'licenses');
    expect(Buffer.byteLength(JSON.stringify(manage.card))).toBeLessThan(TEAMS_CARD_LIMIT);
    const text = textOf(manage.card);
    expect(text).toContain(`Selected users (${USERS})`);
    expect(text).toContain('More than 200 users are selected: each product shows how many of them hold it, not who.');
    const pbiHolders = data.customers[0].users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.POWER_BI_PRO)).length;
    expect(text).toContain(`${pbiHolders} of ${USERS} selected users have it`);
    expect(text).not.toContain('Assigned:'); // no list of holders

    // Assign E3 to everyone: fewer seats than users, so the preview comes first, counted per reason.
    const e3 = inputs(manage.card).find((i) => i.label === 'Office 365 E3');
    const save = manage.card.actions.find((a: { verb: string }) => a.verb === 'saveLicenses');
    const answered = await teams.click(chat, manage.id, 'saveLicenses', { ...save.data, [e3.id]: e3.type === 'Input.Toggle' ? 'true' : 'assign' });
    expect(textOf(answered.card)).toContain(`Checking ${USERS} users before saving`);
    await teams.waitForBackground();
    const preview = connector.messages.find((m) => textOf(m.card).includes('users would be updated'))!;
    expect(preview).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(preview.card))).toBeLessThan(TEAMS_CARD_LIMIT);
    expect(textOf(preview.card)).toMatch(/By reason: .*Not enough licenses [\d,]+/);

    const anyway = button(preview.card, 'Save anyway');
    await teams.click(chat, preview.id, anyway.verb, anyway.data);
    await teams.waitForBackground();
    // The progress message, updated to the result (the clicked preview is replaced by the click's answer).
    const result = connector.messages.find((m) => /\d+ updated · \d+ failed · \d+ unchanged/.test(textOf(m.card)))!;
    expect(result).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(result.card))).toBeLessThan(TEAMS_CARD_LIMIT);
    expect(textOf(result.card)).toMatch(/By reason: .*Not enough licenses [\d,]+/);
  } finally {
    await teams.stop();
    await connector.stop();
    await closeStores();
  }
}, 300_000); // about 25 s on this busy 2-core machine; room for a heavily loaded one
