// Undo of a 1,000-user change: the Undo click answers at once (Teams retries an invoke after 15 s), the
// preview follows as a new message, and Undo now gives every seat back as it was.
import { bigTenant } from '../../bench/big-tenant';
import { sessionIdFor } from '../../bot/session';
import { SKU } from '../support/demo';
import { demoDataset, directoryOf } from '../support/store';
import { startDemoBot } from '../support/demo-bot';
import { PEOPLE, button, inputs, personalChat, textOf } from '../support/teams';

test('Undo of a change to 1,000 users answers at once, previews as a new message, and puts every seat back', async () => {
  const data = bigTenant(await demoDataset(), 1000);
  const { teams, store, connector, stop } = await startDemoBot(data);
  try {
    const chat = personalChat(PEOPLE.alex);
    const holders = data.customers[0].users.filter((u) => u.assignedLicenses.some((l) => l.skuId === SKU.POWER_BI_PRO)).length;
    const consumedBefore = (await directoryOf(store).sku('bigcorp', SKU.POWER_BI_PRO))!.consumedUnits;
    await teams.sessions().update(sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId), (s) => ({ ...s, customerKey: 'bigcorp', selected: data.customers[0].users.map((u) => u.id) }));
    const manage = await teams.say(chat, 'licenses');
    const pbi = inputs(manage.card).find((i) => i.label === 'Power BI Pro');
    const save = manage.card.actions.find((a: { verb: string }) => a.verb === 'saveLicenses');
    await teams.click(chat, manage.id, 'saveLicenses', { ...save.data, [pbi.id]: 'remove' });
    await teams.waitForBackground();
    const result = connector.last();
    expect(textOf(result.card)).toContain(`${holders} updated · 0 failed`);

    const answered = await teams.press(chat, result.id, result.card, 'Undo');
    expect(textOf(answered.card)).toContain(`Checking which of the ${holders} users can be put back`);
    await teams.waitForBackground();
    const preview = connector.last();
    expect(textOf(preview.card)).toContain(`Put back (${holders})`);
    expect(textOf(preview.card)).toContain('and ' + (holders - 10) + ' more');
    const now = button(preview.card, 'Undo now');
    await teams.click(chat, preview.id, now.verb, now.data);
    await teams.waitForBackground();
    expect(textOf(connector.last().card)).toContain(`${holders} updated · 0 failed · 0 unchanged`);
    expect((await directoryOf(store).sku('bigcorp', SKU.POWER_BI_PRO))!.consumedUnits).toBe(consumedBefore);
  } finally {
    await stop();
  }
}, 180_000);
