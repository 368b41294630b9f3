// A German admin reads German from the first card to the last — through a choice button, a preview of
// failures, Save anyway and the result — over HTTP as Teams sends it. No half of a card is English.
import { SKU } from '../support/demo';
import { demoBotPerTest } from '../support/demo-bot';
import { PEOPLE, button, inputs, personalChat, textOf } from '../support/teams';

const deAlex = personalChat(PEOPLE.alex, 'de-DE');

/** Phrases of English cards and English domain texts: none may show in a German card. */
const english = [/\bFix:/, /\bNot enough\b/, /usage location/i, /\bSelected users\b/, /\bManage licenses\b/, /\bLicenses updated\b/, /\bwould not get\b/, /\bone of\b/, /\bdo you mean\b/, /\bNo customer\b/, /\bsubscription\b/i];
const expectGerman = (card: unknown) => {
  const text = textOf(card);
  expect(english.filter((re) => re.test(text)).map(String)).toEqual([]);
  return text;
};

const bot = demoBotPerTest();

test('an ambiguous customer is asked about in German, and its choice opens the users in German', async () => {
  const asked = await bot.teams.say(deAlex, 'kunde onmicrosoft');
  expect(expectGerman(asked.card)).toContain('Welchen Kunden meinen Sie mit „onmicrosoft“?');
  const contoso = button(asked.card, 'Contoso Ltd.');
  expect(contoso.data).toMatchObject({ customerKey: 'contoso' }); // data, not command text
  const users = await bot.teams.click(deAlex, asked.id, contoso.verb, contoso.data);
  expect(users.status).toBe(200);
  expect(expectGerman(users.card)).toContain('Seite 1 von 2 · 40 Benutzer');
});

test('a product choice, then a Save whose preview says in German why a user would fail, then the result in German', async () => {
  await bot.teams.say(deAlex, 'kunde contoso');
  const asked = await bot.teams.say(deAlex, 'zuweisen office 365 an Rachel Kim, Tyler Anderson');
  expect(expectGerman(asked.card)).toContain('Welches Produkt meinen Sie mit „office 365“?');
  const e3 = button(asked.card, 'Office 365 E3');
  expect(e3.data).toMatchObject({ change: 'assign', products: [{ skuId: SKU.E3 }] });
  const opened = await bot.teams.click(deAlex, asked.id, e3.verb, e3.data);
  expect(opened.status).toBe(200);
  const manageText = expectGerman(opened.card);
  expect(manageText).toContain('Lizenzen verwalten');
  expect(manageText).toContain('Auswahl aus Ihrem Befehl: 2 Benutzer.');
  const e3Input = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
  expect(e3Input.value).toBe('true');

  const save = button(opened.card, 'Speichern');
  const preview = await bot.teams.click(deAlex, asked.id, save.verb, { ...save.data, [e3Input.id]: 'true' });
  const previewText = expectGerman(preview.card);
  expect(previewText).toContain('Vor dem Speichern prüfen');
  expect(previewText).toContain('1 von 2 Benutzern würden diese Änderung nicht erhalten');
  expect(previewText).toContain('Tyler Anderson');
  expect(previewText).toContain('keinen Nutzungsstandort');
  expect(previewText).toContain('Lösung:');

  const anyway = button(preview.card, 'Trotzdem speichern');
  await bot.teams.click(deAlex, asked.id, anyway.verb, anyway.data);
  await bot.teams.waitForBackground();
  const result = bot.connector.last();
  const resultText = expectGerman(result.card);
  expect(resultText).toContain('Lizenzen aktualisiert');
  expect(resultText).toContain('1 aktualisiert · 1 fehlgeschlagen · 0 unverändert');
  expect(resultText).toContain('Zugewiesen: Office 365 E3');
  expect(resultText).toContain('keinen Nutzungsstandort');
  expect(textOf(result.versions[0])).toContain('Lizenzänderungen werden gespeichert');
});

test('a failure the domain explains with lists (a dependency) reads German, with "oder", not "or"', async () => {
  await bot.teams.say(deAlex, 'kunde contoso');
  const opened = await bot.teams.say(deAlex, 'entziehen Teams Phone von Jordan Miller');
  const phone = inputs(opened.card).find((i) => i.title === 'Microsoft Teams Phone Standard');
  const save = button(opened.card, 'Speichern');
  const preview = await bot.teams.click(deAlex, opened.id, save.verb, { ...save.data, [phone.id]: 'false' });
  const text = expectGerman(preview.card);
  expect(text).toMatch(/hängt noch von MCOEV .*ab/);
  expect(text).not.toMatch(/ or /);
});

test('a reader is refused in German', async () => {
  const deMegan = personalChat(PEOPLE.megan, 'de-DE');
  await bot.teams.say(deMegan, 'kunde contoso');
  const opened = await bot.teams.say(deMegan, 'zuweisen Office 365 E3 an Rachel Kim');
  const e3 = inputs(opened.card).find((i) => i.title === 'Office 365 E3');
  const save = button(opened.card, 'Speichern');
  const refused = await bot.teams.click(deMegan, opened.id, save.verb, { ...save.data, [e3.id]: 'true' });
  const text = expectGerman(refused.card);
  expect(text).toContain('Nicht erlaubt');
  expect(text).toContain('Megan Bowen darf Lizenzen ansehen, aber nicht ändern');
});

test('a German command in a client without a locale: its choice answers in German too', async () => {
  const noLocale = personalChat(PEOPLE.alex);
  await bot.teams.say(noLocale, 'use contoso');
  const asked = await bot.teams.say(noLocale, 'zuweisen office 365 an Rachel Kim');
  expect(textOf(asked.card)).toContain('Welches Produkt meinen Sie mit „office 365“?');
  const e5 = button(asked.card, 'Office 365 E5');
  const chosen = await bot.teams.click(noLocale, asked.id, e5.verb, e5.data);
  expect(expectGerman(chosen.card)).toContain('Lizenzen verwalten');
});
