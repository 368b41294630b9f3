// 1,000 selected users: the clicks stay quick (Teams retries an invoke after 15 s) and the work follows
// as new messages.
import { bigTenant } from '../../bench/big-tenant';
import { sessionIdFor } from '../../bot/session';
import { SKU } from '../support/demo';
import { demoDataset, directoryOf } from '../support/store';
import { startDemoBot } from '../support/demo-bot';
import { PEOPLE, inputs, personalChat, textOf } from '../support/teams';

test('Save with 1,000 selected users answers at once; preview-free changes then show progress and the result', async () => {
  const data = bigTenant(await demoDataset(), 1000);
  const { teams, store, connector, stop } = await startDemoBot(data);
  try {
    const chat = personalChat(PEOPLE.alex);
    // Everyone who holds Power BI Pro (a third of them), selected as if ticked page by page.
    const holders = data.customers[0].users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.POWER_BI_PRO)).map((u) => u.id);
    expect(holders.length).toBeGreaterThan(250);
    const all = data.customers[0].users.map((u) => u.id);
    await teams.sessions().update(sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId), (s) => ({ ...s, customerKey: 'bigcorp', selected: all }));
    const manage = await teams.say(chat, 'licenses');
    expect(textOf(manage.card)).toContain('Selected users (1000)');
    const pbi = inputs(manage.card).find((i) => i.label === 'Power BI Pro');
    expect(pbi.type).toBe('Input.ChoiceSet'); // some hold it: keep / assign / remove
    const save = manage.card.actions.find((a: { verb: string }) => a.verb === 'saveLicenses');
    const answered = await teams.click(chat, manage.id, 'saveLicenses', { ...save.data, [pbi.id]: 'remove' });
    expect(textOf(answered.card)).toContain('Checking 1000 users before saving');
    await teams.waitForBackground();
    const result = connector.last();
    expect(textOf(result.card)).toContain(`${holders.length} updated · 0 failed · ${1000 - holders.length} unchanged`);
    expect(textOf(result.versions[0])).toContain('Saving license changes');
    expect((await directoryOf(store).sku('bigcorp', SKU.POWER_BI_PRO))!.consumedUnits).toBe(0);
  } finally {
    await stop();
  }
}, 300_000); // about 20 s on an idle 2-core machine; room for a machine several times oversubscribed
