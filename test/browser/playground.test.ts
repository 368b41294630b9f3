// In a real browser: the Microsoft 365 Agents Playground (a local Teams client) driven by playwright-core
// in headless Chromium, against the real bot on the emulator. Screenshots of each card go to the ignored
// test-results/screenshots/ (`npm run docs:screenshots` writes them to docs/ instead, on purpose).
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium as playwright, type Browser, type Locator, type Page } from 'playwright-core';
import { startPlayground, type Playground } from '../../bot/playground';
import { createApp, type App } from '../../bot/server';
import { LicenseService } from '../../domain/service';
import { cosmosBackends } from '../../domain/store/backends';
import { SKU } from '../support/demo';
import { closeStores, demoService } from '../support/store';

const SHOTS = path.resolve(__dirname, '../..', process.env.SCREENSHOTS_DIR ?? 'test-results/screenshots');
jest.setTimeout(240_000);

let app: App;
let service: LicenseService;
let playground: Playground;
let browser: Browser;
let page: Page;

/** System Chromium where present; otherwise the one @sparticuz/chromium ships inside its npm package. */
async function chromiumPath(): Promise<string> {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sparticuz = require('@sparticuz/chromium');
  return (sparticuz.default ?? sparticuz).executablePath();
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const { store } = await demoService();
  const backends = cosmosBackends(store);
  service = new LicenseService(backends);
  app = createApp({ MicrosoftAppType: 'MultiTenant', BUY_MORE_URL: 'https://partner.microsoft.com/dashboard/commerce2/customers' }, backends.sessions, service, () => {});
  const botPort = await app.listen(0, '127.0.0.1');
  app.setReady(true);
  playground = await startPlayground(botPort, await freePort());
  browser = await playwright.launch({
    executablePath: await chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await page.goto(playground.url);
  await page.locator('[data-lexical-editor="true"][role="textbox"]').first().waitFor({ timeout: 60_000 });
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await playground?.stop();
  await app?.close();
  await closeStores();
});

const bubbles = () => page.locator('.fai-OutputCard');

/** Types a message as Alex and waits for the bot's new card. */
async function say(text: string): Promise<Locator> {
  const before = await bubbles().count();
  const box = page.locator('[data-lexical-editor="true"][role="textbox"]').first();
  await box.click();
  await box.fill(text);
  await box.press('Enter');
  const reply = bubbles().nth(before);
  await reply.waitFor({ timeout: 30_000 });
  return reply;
}

/** Clicks a card's button (the first of that name). */
async function press(card: Locator, name: string, exact = true): Promise<void> {
  await card.getByRole('button', { name, exact }).first().click();
}

/** Resolves once the page has nothing left to do: pending tasks (a socket message, a re-render) ran. */
const pageIdle = () => page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestIdleCallback(() => resolve(), { timeout: 5_000 }))));

/**
 * Ticks users and makes sure the ticks are still there. The playground re-renders a whole card from its
 * JSON whenever its conversation state changes (the answer to a click, then its "Your response was sent
 * to the app" notice, entries of its log arriving over its socket — later on a busy machine), and a
 * re-render wipes ticks made before it: that is what lost the page-1 ticks. Teams keeps inputs, and a
 * person does not tick within milliseconds of a card appearing, so this is a race in the test, not a
 * loss an admin suffers; the test waits for the page to be idle and ticks again if the card was replaced.
 */
async function tick(card: Locator, labels: string[], exact = false): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await pageIdle();
    const root = await card.locator('.ac-adaptiveCard').first().elementHandle();
    for (const label of labels) await checkbox(card, label, exact).check();
    await pageIdle();
    const kept = (await root?.evaluate((el) => el.isConnected)) && (await Promise.all(labels.map((l) => checkbox(card, l, exact).isChecked()))).every(Boolean);
    if (kept) return;
    if (attempt === 5) throw new Error(`the playground kept re-rendering the card; ticks on ${labels.join(', ')} did not stay`);
  }
}

/** A checkbox of a card by its label (user lines start with the name; toggles are the product name). */
function checkbox(card: Locator, label: string, exact = false): Locator {
  return card.locator(`input[type="checkbox"][aria-label${exact ? '' : '^'}="${label}"]`);
}

async function shot(card: Locator, name: string) {
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

const available = async (skuId: string) => (await service.products({ aadObjectId: '00000000-0000-0000-0000-0000000000020' }, 'contoso')).find((p) => p.skuId === skuId)!.available;

test('assign across two pages of users, then revoke, in the Agents Playground', async () => {
  const help = await say('help');
  await help.getByText('License Desk: what you can say').waitFor();
  await shot(help, '00-help');

  const customers = await say('customers');
  await customers.getByText('Contoso Ltd.').waitFor();
  await shot(customers, '01-customers');
  await press(customers, 'Open');

  // The users card replaces the customers card in place.
  const users = customers;
  await users.getByText('Page 1 of 2 · 40 users').waitFor();
  await tick(users, ['Isla Robinson', 'Ananya Iyer']);
  await shot(users, '02-users-page-1');
  await press(users, 'Next');
  await users.getByText('Page 2 of 2 · 40 users').waitFor();
  await users.getByText('2 selected').waitFor();
  await tick(users, ['Rachel Kim']);
  await shot(users, '03-users-page-2');
  await press(users, 'Manage licenses (2)');

  const manage = users;
  await manage.getByText('Selected users (3)').waitFor();
  await manage.getByText('Ananya Iyer, Isla Robinson, Rachel Kim').waitFor();
  await tick(manage, ['Office 365 E3'], true);
  await shot(manage, '04-manage-licenses');
  const before = await bubbles().count();
  await manage.getByRole('button', { name: 'Save', exact: true }).click();

  // "Licenses updated" arrives as a new message (the progress message, updated in place).
  const result = bubbles().nth(before);
  await result.getByText('Licenses updated').waitFor({ timeout: 60_000 });
  await result.getByText('3 updated · 0 failed · 0 unchanged').waitFor();
  await shot(result, '05-licenses-updated');
  expect(await available(SKU.E3)).toBe(4);

  // Revoke: a text command opens Manage licenses filled in; Save applies.
  const revoke = await say('revoke Office 365 E3 from selected users');
  await revoke.getByText('Selected users (3)').waitFor();
  expect(await checkbox(revoke, 'Office 365 E3', true).isChecked()).toBe(false);
  await shot(revoke, '06-revoke');
  const beforeRevoke = await bubbles().count();
  await revoke.getByRole('button', { name: 'Save', exact: true }).click();
  const revoked = bubbles().nth(beforeRevoke);
  await revoked.getByText('3 updated · 0 failed · 0 unchanged').waitFor({ timeout: 60_000 });
  await revoked.getByText('Revoked: Office 365 E3').first().waitFor();
  await shot(revoked, '07-revoked');
  expect(await available(SKU.E3)).toBe(7);

  // A change that partly fails: the preview says who and why before anything is saved.
  const partial = await say('assign Copilot to Amelia Wright, Ashley Johnson');
  const beforePreview = await bubbles().count();
  await press(partial, 'Save');
  await partial.getByText('Check before saving').waitFor();
  await partial.getByText(/Copilot for Microsoft 365 needs one of/).first().waitFor();
  await shot(partial, '08-preview');
  await partial.getByRole('button', { name: 'Save anyway' }).click();
  const mixed = bubbles().nth(beforePreview);
  await mixed.getByText('1 updated · 1 failed · 0 unchanged').waitFor({ timeout: 60_000 });
  await shot(mixed, '09-partly-failed');
});
