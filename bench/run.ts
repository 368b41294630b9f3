// `npm run bench`: speed and memory of the licensing domain at 10,000 users, on the embedded emulator
// (the slowest store it runs on: one process, two cores). Prints figures against the goals and exits 1
// if a goal is missed. BENCH_USERS changes the size.
import { performance } from 'node:perf_hooks';
import { manageLicensesCard } from '../cards/manage-licenses-card';
import { cardBytes } from '../cards/render';
import { resultCard } from '../cards/results-cards';
import { importDataset, loadDataset } from '../domain/dataset';
import { LicenseService } from '../domain/service';
import { cosmosBackends } from '../domain/store/backends';
import { openCosmos } from '../domain/store/cosmos';
import { bigTenant } from './big-tenant';
import path from 'node:path';
import { sessionIdFor } from '../bot/session';
import { FakeConnector, PEOPLE, TeamsHarness, personalChat } from '../harness/teams';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', displayName: 'Alex Wilber' };
const COPILOT = '639dec6b-bb19-468b-871c-c5c441c4b0cb';
const POWER_BI = 'f8a1db68-be16-40ed-86d5-cb42ce701560';

/** Goals for 10,000 users on a 2-core machine with the in-process emulator (scaled linearly for other sizes). */
const scale = USERS / 10_000;
const goals = {
  importSeconds: 120 * scale,
  previewSeconds: 15 * scale,
  applySeconds: 120 * scale,
  replaySeconds: 10 * scale,
  peakRssMiB: 1_500,
  /** Teams retries an invoke after 15 s; not scaled. */
  invokeSeconds: 10,
  cardBytes: 26 * 1024,
};

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await work();
  return [out, (performance.now() - t) / 1000];
}

async function main() {
  const store = await openCosmos({ database: 'bench' });
  const demo = await loadDataset(path.resolve(__dirname, '../data/demo'));
  const data = bigTenant(demo, USERS);
  const [, importSeconds] = await timed(() => importDataset(store, data));
  const backends = cosmosBackends(store);
  const service = new LicenseService(backends);
  const userIds = data.customers[0].users.map((u) => u.id);
  const request = {
    customerKey: 'bigcorp', userIds, requestedBy: ALEX, idempotencyKey: `bench-${Date.now()}`,
    licensesToAssign: [{ skuId: COPILOT, disabledPlans: [] }], licensesToRemove: [POWER_BI], mode: 'add' as const,
  };
  const [preview, previewSeconds] = await timed(() => service.preview(request));
  let progressCalls = 0;
  const [result, applySeconds] = await timed(() => service.apply(request, () => progressCalls++));
  const [, replaySeconds] = await timed(() => service.apply(request));

  const catalog = await service.catalog(ALEX, 'bigcorp');
  const customer = await service.customer(ALEX, 'bigcorp');
  const users = await service.usersById(ALEX, 'bigcorp', userIds);
  const biggestCard = Math.max(
    cardBytes(manageLicensesCard('de', { customer, users, products: catalog.userProducts(), draft: { choices: {}, disabledPlans: {} }, buyMoreUrl: 'https://example.com', cardId: 'x' })),
    cardBytes(resultCard('de', { customer, result, page: 1, productName: (id) => catalog.displayName(id) })),
  );
  // The bot with all of them selected: opening Manage licenses, and answering Save, must stay well under
  // the 15 s after which Teams retries an invoke.
  const connector = await new FakeConnector().start();
  const teams = await new TeamsHarness(store, connector).start();
  const chat = personalChat(PEOPLE.alex);
  await teams.sessions().update(sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId), (s) => ({ ...s, customerKey: 'bigcorp', selected: userIds }));
  const [manage, manageSeconds] = await timed(() => teams.say(chat, 'licenses'));
  const save = manage.card.actions.find((a: { verb: string }) => a.verb === 'saveLicenses');
  const [, saveSeconds] = await timed(() => teams.click(chat, manage.id, 'saveLicenses', { ...save.data, [`product_${COPILOT}`]: 'remove' }));
  const [, saveDoneSeconds] = await timed(() => teams.waitForBackground());
  const finalCard = JSON.stringify(connector.last().card);
  const revoked = /"(\d+) updated · 0 failed/.exec(finalCard)?.[1] ?? 'no result';
  await teams.stop();
  await connector.stop();
  // The seat invariant at rest, after the domain and the bot changed seats, counted from the users.
  const broken = [];
  for (const s of Object.values(await backends.directory.seatAudit('bigcorp'))) {
    if (s.holders !== s.consumed || s.reservations) broken.push(`${s.skuPartNumber}: consumed ${s.consumed}, holders ${s.holders}`);
  }
  clearInterval(sampler);
  await store.close();

  const rows: [string, number, number, string][] = [
    ['import (s)', importSeconds, goals.importSeconds, `${USERS} users`],
    ['preview (s)', previewSeconds, goals.previewSeconds, `${preview.counts.succeeded} ok / ${preview.counts.failed} fail predicted`],
    ['apply (s)', applySeconds, goals.applySeconds, `${Math.round(USERS / applySeconds)} users/s, ${progressCalls} progress calls`],
    ['replay, same key (s)', replaySeconds, goals.replaySeconds, 'recorded result, no change'],
    ['peak RSS (MiB)', peakRss / 2 ** 20, goals.peakRssMiB, 'bot + emulator in one process'],
    ['largest card (bytes)', biggestCard, goals.cardBytes, 'Manage licenses / Licenses updated'],
    ['bot: open Manage (s)', manageSeconds, goals.invokeSeconds, `${USERS} selected`],
    ['bot: answer Save (s)', saveSeconds, goals.invokeSeconds, `then ${saveDoneSeconds.toFixed(1)} s to "Licenses updated" (${revoked} revoked)`],
  ];
  let failed = broken.length > 0;
  console.log(`License Desk benchmark: ${USERS} users, node ${process.version}`);
  for (const [name, value, goal, note] of rows) {
    const ok = value <= goal;
    failed ||= !ok;
    console.log(`${ok ? 'ok  ' : 'MISS'} ${name.padEnd(22)} ${value.toFixed(1).padStart(10)}  goal ≤ ${goal.toFixed(0).padStart(6)}  ${note}`);
  }
  const same = JSON.stringify(preview.counts) === JSON.stringify(result.counts);
  console.log(`${same ? 'ok  ' : 'MISS'} preview = apply        ${JSON.stringify(result.counts)}`);
  console.log(`${broken.length ? 'MISS' : 'ok  '} seats = holders        ${broken.length ? broken.join('; ') : 'every product'}`);
  process.exit(failed || !same ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
