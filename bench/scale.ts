// `npm run bench:100k`: a 100,000-user customer on the embedded emulator (in a child process): import,
// page, filter, select all matching and open Manage licenses through the bot (the selection is a base in
// chunk documents, the card shows counts), then preview and apply one product to every user as one
// change (MAX_USERS_PER_CHANGE is 100,000: a request over 20,000 keeps its ids in documents of their
// own). Figures go into BENCHMARKS.md after every phase, so a run cut short still reports what it
// measured. BENCH_USERS resizes it.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { importDataset, loadDataset, type Dataset } from '../domain/dataset';
import { MAX_USERS_PER_CHANGE } from '../domain/model';
import { LicenseService } from '../domain/service';
import { cosmosBackends } from '../domain/store/backends';
import { openCosmos, RequestMeter } from '../domain/store/cosmos';
import { FakeConnector, TeamsHarness, textOf } from '../harness/teams';
import { bigTenant } from './big-tenant';
import { sessionIdFor } from '../bot/session';
import { chat, setSession, summarizeTimes } from './bot-flows';
import { startEmulatorProcess } from './emulator';
import { MiB, peakRss, timed } from './measure';
import { table, writeReport, type Row } from './report';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ALEX = { aadObjectId: '00000000-0000-0000-0000-0000000000020', displayName: 'Alex Wilber' };
const POWER_BI = 'f8a1db68-be16-40ed-86d5-cb42ce701560';

async function main() {
  const emulator = await startEmulatorProcess();
  const meter = new RequestMeter();
  const store = await openCosmos({ endpoint: emulator.endpoint, key: 'bench', database: 'scale', meter });
  const rows: Row[] = [];
  const report = async (note = '') => {
    const emu = await emulator.memory();
    const memory = `Peak RSS: bench process (the bot runs in it) ${MiB(peakRss()).toFixed(0)} MiB, emulator process ${MiB(emu.maxRss).toFixed(0)} MiB.`;
    writeReport(`npm run bench:100k (${USERS.toLocaleString('en-US')} users)`, `BENCH_USERS=${USERS} npm run bench:100k`, `${table(rows)}\n\n${memory}${note ? `\n\n${note}` : ''}`);
    console.log(rows[rows.length - 1]);
  };
  // The generated customer is dropped once imported (only its ids are kept): what stays in this process's
  // heap is then the bot's, which `npm run bench:100k` runs under production's heap limit (start:prod).
  let data: Dataset | undefined = bigTenant(await loadDataset(path.resolve(__dirname, '../data/demo')), USERS, 'bigcorp', { freeSeats: USERS, everyoneLocated: true });
  const ids = data.customers[0].users.map((u) => u.id);
  let m = meter.snapshot();
  const [, importSeconds] = await timed(() => importDataset(store, data!));
  data = undefined;
  rows.push({ section: 'License Desk', what: 'import', users: USERS, seconds: importSeconds, documents: meter.writes - m.writes, requestUnits: meter.requestCharge - m.requestCharge, peakRssMiB: MiB(peakRss()) });
  await report('(running)');

  const connector = await new FakeConnector().start();
  const teams = await new TeamsHarness(store, connector).start();
  await setSession(teams, (s) => ({ ...s, customerKey: 'bigcorp', selected: [], filter: {}, anchor: {} }));
  const [usersCard, firstSeconds] = await timed(() => teams.say(chat, 'users'));
  rows.push({ section: 'License Desk', what: 'users card, first (builds the page index)', users: USERS, seconds: firstSeconds });
  let card = usersCard.card;
  const press = async (title: string, changes: Record<string, string> = {}) => {
    const t = performance.now();
    const r = await teams.press(chat, usersCard.id, card, title, changes);
    card = r.card;
    return performance.now() - t;
  };
  for (const [what, step] of [
    ['Next', () => press('Next')],
    ['Last', async () => (await press('First'), press('Last'))],
    ['a filter', (i: number) => press('Apply filter', [{ filterDepartment: 'Finance' }, { filterText: 'miller' }, { filterLicense: 'none' }, { filterDepartment: '*', filterText: '' }][i % 4] as Record<string, string>)],
  ] as [string, (i: number) => Promise<number>][]) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await step(i));
    const t = summarizeTimes(times);
    rows.push({ section: 'License Desk', what, users: USERS, p50: t.p50, p95: t.p95, note: `${t.runs} runs, max ${t.max.toFixed(0)} ms; page text: ${textOf(card).match(/Page [^\n]*/)?.[0] ?? ''}` });
  }
  await report('(running)');
  // Select all N matching (no filter) and Manage licenses, as the admin clicks them.
  await press('Apply filter', { filterDepartment: '*', filterText: '', filterLicense: '*', filterLocation: '*', filterStatus: '*' });
  const selectMs = await press(`Select all ${USERS.toLocaleString('en-US')} matching`);
  const session = await teams.sessions().get(sessionIdFor(chat.conversation.id, ALEX.aadObjectId));
  const sessionBytes = Buffer.byteLength(JSON.stringify(session));
  const [manage, manageSeconds] = await timed(() => teams.say(chat, 'licenses'));
  const manageBytes = Buffer.byteLength(JSON.stringify(manage.card));
  rows.push({ section: 'License Desk', what: 'bot: select all matching', users: USERS, seconds: selectMs / 1000, note: `${textOf(card).match(/[\d,]+ selected/)?.[0] ?? '?'}; session document ${sessionBytes.toLocaleString('en-US')} bytes` });
  rows.push({ section: 'License Desk', what: 'bot: open Manage licenses, all selected', users: USERS, seconds: manageSeconds, largestCardBytes: manageBytes, note: `counts, not names; card ${manageBytes.toLocaleString('en-US')} bytes (Teams: 28,672)` });
  await report('(running)');
  await teams.stop();
  await connector.stop();

  const service = new LicenseService(cosmosBackends(store));
  const [all, selectSeconds] = await timed(() => service.userIdsMatching(ALEX, 'bigcorp', {}));
  const [lacking, lackingSeconds] = await timed(() => service.userIdsMatching(ALEX, 'bigcorp', { lacksSkuId: POWER_BI, usageLocation: 'DE' }));
  rows.push({ section: 'License Desk', what: 'select all matching (no filter)', users: USERS, seconds: selectSeconds, note: `${all.length.toLocaleString('en-US')} ids; "lacking Power BI, in DE": ${lacking.length.toLocaleString('en-US')} in ${(lackingSeconds * 1000).toFixed(0)} ms` });
  await report('(running)');

  let previewSeconds = 0;
  let applySeconds = 0;
  let updated = 0;
  m = meter.snapshot();
  for (let start = 0; start < ids.length; start += MAX_USERS_PER_CHANGE) {
    // One change for up to 100,000 users (more would go as several).
    const request = { customerKey: 'bigcorp', userIds: ids.slice(start, start + MAX_USERS_PER_CHANGE), requestedBy: ALEX, idempotencyKey: `scale-${Date.now()}-${start}`, mode: 'add' as const, licensesToAssign: [{ skuId: POWER_BI, disabledPlans: [] }] };
    const [, p] = await timed(() => service.preview(request));
    const [result, a] = await timed(() => service.apply(request));
    previewSeconds += p;
    applySeconds += a;
    updated += result.counts.succeeded;
    console.log(`change ${start / MAX_USERS_PER_CHANGE + 1}: preview ${p.toFixed(1)} s, apply ${a.toFixed(1)} s, ${result.counts.succeeded} updated`);
  }
  const writes = meter.writes - m.writes;
  rows.push({ section: 'License Desk', what: `preview, 1 product, in changes of ${MAX_USERS_PER_CHANGE.toLocaleString('en-US')}`, users: USERS, seconds: previewSeconds });
  rows.push({ section: 'License Desk', what: 'apply 1 product to every user', users: USERS, seconds: applySeconds, documents: writes, requestUnits: meter.requestCharge - m.requestCharge, note: `${updated.toLocaleString('en-US')} updated` });
  const audit = await cosmosBackends(store).directory.seatAudit('bigcorp');
  const seatsOk = Object.values(audit).every((s) => s.holders === s.consumed && !s.reservations);
  rows.push({ section: 'License Desk', what: 'peak RSS, bench process (bot, driver, a second service; heap limit 1,024 MiB)', users: USERS, peakRssMiB: MiB(peakRss()), note: `seats = holders: ${seatsOk ? 'every product' : 'BROKEN'}` });
  await report();
  await store.close();
  await emulator.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
