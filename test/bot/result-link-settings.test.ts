// The Download CSV settings: checked at start-up like every other one, one line per bad value; and the
// signature binds every part of a link (customer, result, person, language, expiry).
import { loadSettings, SettingsError } from '../../bot/config';
import { ResultLinks, RESULT_LINK_TTL_MS, sharedResultLinkKey } from '../../bot/result-links';
import { openCosmos } from '../../domain/store/cosmos';
import { cosmosDocuments } from '../../domain/store/keyed-documents';

const problems = (env: Record<string, string>) => {
  try {
    loadSettings(env);
    return [];
  } catch (err) {
    return (err as SettingsError).problems;
  }
};

test('RESULT_LINK_KEY shorter than 32 characters and a BOT_DOMAIN with a scheme are refused, one line each', () => {
  expect(problems({ RESULT_LINK_KEY: 'short', BOT_DOMAIN: 'https://bot.example.com/' })).toEqual([
    'RESULT_LINK_KEY: must be at least 32 characters (e.g. openssl rand -base64 48)',
    'BOT_DOMAIN: must be the host name of the bot, without https:// or a path',
  ]);
  expect(loadSettings({ RESULT_LINK_KEY: 'k'.repeat(32), BOT_DOMAIN: 'license-desk.azurewebsites.net' })).toMatchObject({ RESULT_LINK_KEY: 'k'.repeat(32), BOT_DOMAIN: 'license-desk.azurewebsites.net' });
});

test('a link verifies only for its own customer, result, person, language and time', () => {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const links = new ResultLinks('k'.repeat(40), () => 'https://bot.example.com', () => now);
  const url = new URL(links.urlFor({ customerKey: 'contoso', operationId: 'op-1', actor: { aadObjectId: 'oid-1' }, lang: 'en' })!);
  expect(url.origin + url.pathname).toBe('https://bot.example.com/results/contoso/op-1.csv');
  const query = Object.fromEntries(url.searchParams);
  expect(links.verify('contoso', 'op-1', query)).toEqual({ actor: { aadObjectId: 'oid-1' }, lang: 'en' });
  expect(links.verify('fabrikam', 'op-1', query)).toBeUndefined();
  expect(links.verify('contoso', 'op-2', query)).toBeUndefined();
  expect(links.verify('contoso', 'op-1', { ...query, to: 'oid:oid-2' })).toBeUndefined();
  expect(links.verify('contoso', 'op-1', { ...query, lang: 'de' })).toBeUndefined();
  expect(links.verify('contoso', 'op-1', { ...query, exp: String(Number(query.exp) + 3600) })).toBeUndefined();
  expect(new ResultLinks('j'.repeat(40), () => 'https://bot.example.com', () => now).verify('contoso', 'op-1', query)).toBeUndefined();
  now += RESULT_LINK_TTL_MS + 1_000;
  expect(links.verify('contoso', 'op-1', query)).toBeUndefined();
  // No address known: no link at all (the card then shows no Download CSV).
  expect(new ResultLinks(undefined, () => undefined).urlFor({ customerKey: 'contoso', operationId: 'op-1', actor: { aadObjectId: 'o' }, lang: 'en' })).toBeUndefined();
});

test('without RESULT_LINK_KEY every instance and restart signs with the one key kept in the store', async () => {
  const store = await openCosmos({ database: `link-key-${Date.now()}` });
  try {
    const documents = cosmosDocuments(store.containers.sessions);
    // Two instances starting at once: one key wins, both use it.
    const [a, b] = await Promise.all([sharedResultLinkKey(documents), sharedResultLinkKey(documents)]);
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(32);
    const first = new ResultLinks(a, () => 'https://bot.example.com');
    const url = new URL(first.urlFor({ customerKey: 'contoso', operationId: 'op-1', actor: { aadObjectId: 'oid-1' }, lang: 'de' })!);
    // A restart reads the same key: yesterday's link still opens.
    const restarted = new ResultLinks(await sharedResultLinkKey(documents), () => 'https://bot.example.com');
    expect(restarted.verify('contoso', 'op-1', Object.fromEntries(url.searchParams))).toEqual({ actor: { aadObjectId: 'oid-1' }, lang: 'de' });
  } finally {
    await store.close();
  }
});
