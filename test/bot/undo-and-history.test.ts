// History, Undo and Download CSV over HTTP as Teams sends them, with the real domain on the emulator:
// an admin reads who changed what, opens any result (also beyond the first page), undoes a change
// (preview first, then a change of its own), and downloads a result as CSV through a signed link.
import type { Dataset } from '../../domain/dataset';
import { ResultLinks } from '../../bot/result-links';
import { PLAN, SKU, expectSeatInvariant, userId } from '../support/demo';
import { demoDataset } from '../support/store';
import { demoBotPerTest } from '../support/demo-bot';
import { PEOPLE, button, buttons, personalChat, textOf, type CardMessage, type Chat } from '../support/teams';

const LINK_KEY = 'test-result-link-key-0123456789-abcdefghij';
let demo: Dataset;
const alex = personalChat(PEOPLE.alex);
const megan = personalChat(PEOPLE.megan);
const asAlex = { aadObjectId: PEOPLE.alex.aadObjectId };

const bot = demoBotPerTest({ settings: { RESULT_LINK_KEY: LINK_KEY } });
beforeAll(async () => {
  demo = await demoDataset();
});

const licensesOf = async (upn: string) => (await bot.teams.service.usersById(asAlex, 'contoso', [userId(demo, upn)]))[0].assignedLicenses;
const available = async (skuId: string) => (await bot.teams.service.products(asAlex, 'contoso')).find((p) => p.skuId === skuId)!.available;

/** Types a change command, presses Save on the card it opens, and returns the result message. */
async function change(chat: Chat, command: string, save = 'Save'): Promise<CardMessage> {
  const opened = await bot.teams.say(chat, command);
  await bot.teams.press(chat, opened.id, opened.card, save);
  await bot.teams.waitForBackground();
  return bot.connector.last();
}

/** Undo on a card, then the undo's preview card (the clicked card is replaced by it). */
async function undoPreview(chat: Chat, on: CardMessage, title = 'Undo') {
  const preview = await bot.teams.press(chat, on.id, on.card, title);
  expect(preview.status).toBe(200);
  return preview.card;
}

/** "Undo now" on the preview; returns the undo's result message. */
async function undoNow(chat: Chat, on: CardMessage, preview: any, title = 'Undo now'): Promise<CardMessage> {
  const before = bot.connector.messages.length;
  const b = button(preview, title);
  const clicked = await bot.teams.click(chat, on.id, b.verb, b.data);
  expect(clicked.status).toBe(200);
  await bot.teams.waitForBackground();
  expect(bot.connector.messages.length).toBeGreaterThan(before);
  return bot.connector.last();
}

const openUrl = (card: any): string | undefined => {
  let url: string | undefined;
  const walk = (n: any) => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (n.type === 'Action.OpenUrl') url = n.url;
    Object.values(n).forEach(walk);
  };
  walk(card);
  return url;
};

test('history says who changed what, when, with counts; pages to older changes; opens any of them', async () => {
  await bot.teams.say(alex, 'use contoso');
  const first = await change(alex, 'assign Office 365 E3 to Rachel Kim');
  expect(textOf(first.card)).toContain('1 updated · 0 failed');
  // 21 more changes made behind the card (the history must reach the first one on its second page).
  for (let i = 0; i < 21; i++) {
    const flip = i % 2 ? { mode: 'remove' as const, licensesToRemove: [SKU.POWER_BI_PRO] } : { licensesToAssign: [{ skuId: SKU.POWER_BI_PRO }] };
    await bot.teams.service.apply({ customerKey: 'contoso', userIds: [userId(demo, 'ashley.johnson')], ...flip, requestedBy: { aadObjectId: PEOPLE.alex.aadObjectId, displayName: 'Alex Wilber' }, idempotencyKey: `history-${i}` });
  }
  const history = await bot.teams.say(alex, 'history');
  const page1 = textOf(history.card);
  expect(page1).toContain('Recent license changes');
  expect(page1).toContain('Contoso Ltd.');
  expect(page1).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC · Alex Wilber · 1 users: 1 updated, 0 failed/);
  expect(page1).not.toContain('Assigned: Office 365 E3 → 1 users');
  expect(buttons(history.card).filter((b) => b.title === 'Open')).toHaveLength(20);
  const older = await bot.teams.press(alex, history.id, history.card, 'Older changes');
  const page2 = textOf(older.card);
  expect(page2).toContain('Assigned: Office 365 E3 → 1 users');
  expect(buttons(older.card).filter((b) => b.title === 'Open')).toHaveLength(2);
  expect(buttons(older.card).map((b) => b.title)).toContain('Newest changes');
  expect(buttons(older.card).map((b) => b.title)).not.toContain('Older changes');
  // The oldest entry is last; it opens its result.
  const open = buttons(older.card).filter((b) => b.title === 'Open').pop()!;
  const opened = await bot.teams.click(alex, history.id, open.verb, open.data);
  expect(textOf(opened.card)).toContain('Licenses updated');
  expect(textOf(opened.card)).toContain('Rachel Kim');
  expect(textOf(opened.card)).toContain('Assigned: Office 365 E3');
  expect(textOf(opened.card)).not.toContain('already been saved');
});

test('undo of an assign: the preview names who is put back, then Undo now revokes it again and frees the seats', async () => {
  await bot.teams.say(alex, 'use contoso');
  const e3Before = await available(SKU.E3);
  const result = await change(alex, 'assign Office 365 E3 to Rachel Kim, Isla Robinson, Ananya Iyer');
  expect(textOf(result.card)).toContain('3 updated · 0 failed');
  expect(await available(SKU.E3)).toBe(e3Before - 3);

  const preview = await undoPreview(alex, result);
  const text = textOf(preview);
  expect(text).toContain('Undo this change?');
  expect(text).toContain('Undo of: Assigned: Office 365 E3 → 3 users');
  expect(text).toContain('Put back (3)');
  expect(text).toContain('Revoked: Office 365 E3');
  expect(text).not.toContain('Cannot be put back');
  // The preview changes nothing.
  expect(await available(SKU.E3)).toBe(e3Before - 3);

  const undone = await undoNow(alex, result, preview);
  const undoneText = textOf(undone.card);
  expect(undoneText).toContain('Licenses updated');
  expect(undoneText).toContain('3 updated · 0 failed · 0 unchanged');
  expect(undoneText).toContain('Revoked: Office 365 E3');
  expect(await available(SKU.E3)).toBe(e3Before);
  for (const upn of ['rachel.kim', 'isla.robinson', 'ananya.iyer']) expect(await licensesOf(upn)).toEqual([]);
  await expectSeatInvariant(bot.teams.store);

  // The undo is in the history as a change of its own, and can itself be undone.
  const history = await bot.teams.say(alex, 'history');
  expect(textOf(history.card)).toMatch(/Undo of the change of \d{4}-\d\d-\d\d \d\d:\d\d UTC: Revoked: Office 365 E3 → 3 users/);
  const again = await undoPreview(alex, undone);
  expect(textOf(again)).toContain('Put back (3)');
  expect(textOf(again)).toContain('Assigned: Office 365 E3');
});

test('undo of a revoke gives the product back with the service plans the user had switched off', async () => {
  await bot.teams.say(alex, 'use contoso');
  const before = await licensesOf('sophie.becker');
  expect(before).toEqual([{ skuId: SKU.E3, disabledPlans: [PLAN.YAMMER_ENTERPRISE] }]);
  const result = await change(alex, 'revoke Office 365 E3 from Sophie Becker');
  expect(textOf(result.card)).toContain('1 updated');
  expect(await licensesOf('sophie.becker')).toEqual([]);
  const undone = await undoNow(alex, result, await undoPreview(alex, result));
  expect(textOf(undone.card)).toContain('1 updated · 0 failed');
  expect(await licensesOf('sophie.becker')).toEqual(before);
  await expectSeatInvariant(bot.teams.store);
});

test('undo where a user was changed again since: that user is named with what changed and left alone; the others are put back', async () => {
  await bot.teams.say(alex, 'use contoso');
  const result = await change(alex, 'assign Office 365 E3 to Rachel Kim, Isla Robinson');
  // Later, Rachel also gets Power BI Pro.
  const later = await change(alex, 'assign Power BI Pro to Rachel Kim');
  expect(textOf(later.card)).toContain('1 updated');

  const preview = await undoPreview(alex, result);
  const text = textOf(preview);
  expect(text).toContain('Cannot be put back (1)');
  expect(text).toMatch(/Rachel Kim[\s\S]*Power BI Pro assigned since/);
  expect(text).toMatch(/last on \d{4}-\d\d-\d\d \d\d:\d\d UTC in License Desk/);
  expect(text).toContain('Put back (1)');
  expect(text).toMatch(/Put back \(1\)\nIsla Robinson/);

  const undone = await undoNow(alex, result, preview);
  expect(textOf(undone.card)).toContain('1 updated · 1 failed · 0 unchanged');
  expect(textOf(undone.card)).toContain("The user's licenses were changed after this change");
  expect((await licensesOf('rachel.kim')).map((l) => l.skuId).sort()).toEqual([SKU.E3, SKU.POWER_BI_PRO].sort());
  expect(await licensesOf('isla.robinson')).toEqual([]);
  await expectSeatInvariant(bot.teams.store);
});

test('Undo now clicked twice (Teams retrying the same click, also at once) undoes once', async () => {
  await bot.teams.say(alex, 'use contoso');
  const e3Before = await available(SKU.E3);
  const result = await change(alex, 'assign Office 365 E3 to Rachel Kim, Isla Robinson');
  const preview = await undoPreview(alex, result);
  const b = button(preview, 'Undo now');
  const [one, two] = await Promise.all([bot.teams.click(alex, result.id, b.verb, b.data), bot.teams.click(alex, result.id, b.verb, b.data)]);
  expect([one.status, two.status]).toEqual([200, 200]);
  await bot.teams.waitForBackground();
  const third = await bot.teams.click(alex, result.id, b.verb, b.data);
  await bot.teams.waitForBackground();
  expect(textOf(third.card)).toContain('This change had already been saved; nothing was changed again.');
  const undos = (await bot.teams.service.history(asAlex, 'contoso', 20)).filter((o) => o.undoOf);
  expect(undos).toHaveLength(1);
  expect(undos[0].counts).toEqual({ succeeded: 2, failed: 0, noChange: 0 });
  expect(await available(SKU.E3)).toBe(e3Before);
  await expectSeatInvariant(bot.teams.store);
});

test('a reader cannot undo: the preview is refused and nothing changes', async () => {
  await bot.teams.say(alex, 'use contoso');
  const result = await change(alex, 'assign Office 365 E3 to Rachel Kim');
  const e3 = await available(SKU.E3);
  const undo = button(result.card, 'Undo');
  const refused = await bot.teams.click(megan, result.id, undo.verb, undo.data);
  expect(textOf(refused.card)).toContain('Megan Bowen can look at licenses but not change them');
  // Not even with a forged "Undo now".
  const forged = await bot.teams.click(megan, result.id, 'confirmUndo', { ...undo.data, cardId: 'forged-card-id' });
  expect(textOf(forged.card)).toContain('can look at licenses but not change them');
  await bot.teams.waitForBackground();
  expect(await available(SKU.E3)).toBe(e3);
  expect((await licensesOf('rachel.kim')).map((l) => l.skuId)).toEqual([SKU.E3]);
});

test('German: the undo preview, the reason a user cannot be put back, and the result read German', async () => {
  const deAlex = personalChat(PEOPLE.alex, 'de-DE');
  await bot.teams.say(deAlex, 'kunde contoso');
  const result = await change(deAlex, 'zuweisen Office 365 E3 an Rachel Kim, Isla Robinson', 'Speichern');
  expect(textOf(result.card)).toContain('Lizenzen aktualisiert');
  await change(deAlex, 'zuweisen Power BI Pro an Rachel Kim', 'Speichern');
  const preview = await undoPreview(deAlex, result, 'Rückgängig');
  const text = textOf(preview);
  expect(text).toContain('Diese Änderung rückgängig machen?');
  expect(text).toContain('Kann nicht zurückgesetzt werden (1)');
  expect(text).toContain('Power BI Pro seitdem zugewiesen');
  expect(text).toContain('Wird zurückgesetzt (1)');
  expect(text).not.toMatch(/\b(Undo|Put back|Cannot|assigned since|Fix:)\b/);
  const undone = await undoNow(deAlex, result, preview, 'Jetzt rückgängig machen');
  const undoneText = textOf(undone.card);
  expect(undoneText).toContain('Lizenzen aktualisiert');
  expect(undoneText).toContain('Die Lizenzen des Benutzers wurden nach dieser Änderung geändert');
  expect(undoneText).not.toMatch(/\b(Licenses updated|changed after|Fix:)\b/);
});

describe('Download CSV', () => {
  test('the result card links to its CSV: one line per user with outcome, assigned, removed, reason and fix', async () => {
    await bot.teams.say(alex, 'use contoso');
    const opened = await bot.teams.say(alex, 'assign Copilot to Amelia Wright, Ashley Johnson');
    const preview = await bot.teams.press(alex, opened.id, opened.card, 'Save');
    await bot.teams.click(alex, opened.id, 'confirmSave', button(preview.card, 'Save anyway').data);
    await bot.teams.waitForBackground();
    const result = bot.connector.last();
    expect(buttons(result.card).map((b) => b.title)).toContain('Undo');
    const url = openUrl(result.card)!;
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${bot.teams.port}/results/contoso/op-[0-9a-f]+\\.csv\\?`));
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="licenses-updated-contoso-\d{4}-\d\d-\d\d-\d{4}\.csv"$/);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('User,UPN,Outcome,Assigned,Removed,Reason,Fix');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^Amelia Wright,amelia\.wright@[^,]+,Failed,,,.*Copilot for Microsoft 365 needs/);
    expect(lines[2]).toMatch(/^Ashley Johnson,ashley\.johnson@[^,]+,Updated,Copilot for Microsoft 365,,,$/);
  });

  test('a bad, expired or someone else\'s link, or one for another customer, is 403 with a sentence', async () => {
    await bot.teams.say(alex, 'use contoso');
    const result = await change(alex, 'assign Office 365 E3 to Rachel Kim');
    const url = new URL(openUrl(result.card)!);
    const tampered = new URL(url);
    tampered.searchParams.set('sig', `${url.searchParams.get('sig')!.slice(0, -2)}xx`);
    const otherCustomer = new URL(url);
    otherCustomer.pathname = url.pathname.replace('/contoso/', '/fabrikam/');
    const otherPerson = new URL(url);
    otherPerson.searchParams.set('to', `oid:${PEOPLE.adele.aadObjectId}`);
    const base = `${url.origin}`;
    const operationId = url.pathname.split('/').pop()!.replace('.csv', '');
    // Links made with the bot's own key: one an hour and a half old, one for Adele (Fabrikam only).
    const expired = new ResultLinks(LINK_KEY, () => base, () => Date.now() - 90 * 60_000).urlFor({ customerKey: 'contoso', operationId, actor: asAlex, lang: 'en' })!;
    const adeles = new ResultLinks(LINK_KEY, () => base).urlFor({ customerKey: 'contoso', operationId, actor: { aadObjectId: PEOPLE.adele.aadObjectId }, lang: 'en' })!;
    const unsigned = `${url.origin}${url.pathname}`;
    for (const bad of [tampered.href, otherCustomer.href, otherPerson.href, expired, adeles, unsigned, `${url.origin}/results/contoso/..%2F..%2Fetc.csv?${url.searchParams}`]) {
      const res = await fetch(bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 403 });
      expect(await res.text()).toContain('This download link is not valid, has expired');
    }
    // The good link still works, in German when issued in German.
    expect((await fetch(url)).status).toBe(200);
    const german = new ResultLinks(LINK_KEY, () => base).urlFor({ customerKey: 'contoso', operationId, actor: asAlex, lang: 'de' })!;
    const de = await fetch(german);
    expect((await de.text()).replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('Benutzer;UPN;Ergebnis;Zugewiesen;Entzogen;Grund;Lösung');
  });
});
