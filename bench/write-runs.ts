// The write runs of `npm run bench` (bench/run.ts): License Desk's Save against the limit and naive,
// on loopback and again through a modelled network (BENCH_RTT_MS), with the CPU each process spent.
import { importDataset, type Dataset } from '../domain/dataset';
import { openCosmos, stripDoc, type CosmosStore, type RequestMeter } from '../domain/store/cosmos';
import { CosmosDirectory } from '../domain/store/cosmos-directory';
import { DirectoryRepository, type UserDoc } from '../domain/store/directory';
import { FakeConnector } from '../harness/teams';
import { bigTenant } from './big-tenant';
import { saveThroughTeams } from './bot-flows';
import { startDelayProxyProcess, type EmulatorProcess } from './emulator';
import { limitRun } from './limit';
import { naiveRun } from './naive';
import type { Row } from './report';
import { RemoteBot } from './remote-bot';

export const CUSTOMER = 'bigcorp';
/** Three products every generated user can take: Power BI Pro, Visio, Teams Phone Standard. */
export const PRODUCTS = ['f8a1db68-be16-40ed-86d5-cb42ce701560', 'c5928f49-12ba-48f7-ada3-0d743a3601d5', 'e43b5b99-8dfb-405f-9987-dc307f34bcbd'];
/**
 * The modelled round trip (ms). Microsoft's SLA bounds a point read or write at under 10 ms at the
 * 99th percentile in the region (https://learn.microsoft.com/azure/cosmos-db/monitor-server-side-latency);
 * 5 ms is below that bound, so it flatters naive (one request at a time) rather than License Desk.
 */
export const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 5);

export type Cpu = { client: number; emulator: number };
export async function cpuOf(bot: { cpu(): Promise<NodeJS.CpuUsage> } | undefined, emulator: EmulatorProcess): Promise<Cpu> {
  const [c, e] = await Promise.all([bot ? bot.cpu() : process.cpuUsage(), emulator.cpu()]);
  return { client: (c.user + c.system) / 1e6, emulator: (e.user + e.system) / 1e6 };
}
export const cpuSince = (now: Cpu, before: Cpu): Cpu => ({ client: now.client - before.client, emulator: now.emulator - before.emulator });
export const cpuNote = (cpu: Cpu, client: 'bot' | 'bench') => `CPU: ${client} process ${cpu.client.toFixed(1)} s, emulator ${cpu.emulator.toFixed(1)} s`;

/** Users as the Save left them (with its mark), ready to be written again as the limit's documents. */
export async function writtenUsers(store: CosmosStore, ids: string[]): Promise<UserDoc[]> {
  const found = await new DirectoryRepository(store.containers.directory).usersById(CUSTOMER, ids);
  return [...found.values()].map((u) => stripDoc(u));
}

/** The limit, then naive on the limit's documents, on a database of their own, through `endpoint`. */
export async function limitAndNaive(emulator: EmulatorProcess, endpoint: string, database: string, templates: UserDoc[], writes: number, users: number) {
  const limitStore = await openCosmos({ endpoint, key: 'bench', database });
  let cpu = await cpuOf(undefined, emulator);
  const limit = await limitRun(limitStore.containers.directory, CUSTOMER, templates, writes);
  const limitCpu = cpuSince(await cpuOf(undefined, emulator), cpu);
  cpu = await cpuOf(undefined, emulator);
  const naive = await naiveRun(limitStore.containers.directory, CUSTOMER, Array.from({ length: users }, (_, i) => `limit-${i}`), PRODUCTS);
  const naiveCpu = cpuSince(await cpuOf(undefined, emulator), cpu);
  await limitStore.database.delete();
  await limitStore.close();
  return { limit, limitCpu, naive, naiveCpu };
}

/**
 * The Save, the limit and naive again, every request of each through the delay proxy (a round trip
 * of RTT_MS), the bot process included: its store client is given the proxy's endpoint.
 */
export async function modelledNetworkRun(demo: Dataset, emulator: EmulatorProcess, users: number) {
  const label = `${RTT_MS} ms round trip`;
  const database = `bench-rtt-${users}`;
  const direct = await openCosmos({ endpoint: emulator.endpoint, key: 'bench', database });
  const data = bigTenant(demo, users, CUSTOMER, { freeSeats: users, everyoneLocated: true });
  const sample = data.customers[0].users.slice(0, 100).map((u) => u.id);
  await importDataset(direct, data);
  const proxy = await startDelayProxyProcess(emulator.endpoint, RTT_MS);
  const store = await openCosmos({ endpoint: proxy.endpoint, key: 'bench', database });
  const connector = await new FakeConnector().start();
  const bot = await new RemoteBot(store, connector, database).start();
  const before = await bot.meter();
  const cpuBefore = await cpuOf(bot, emulator);
  const save = await saveThroughTeams(bot, CUSTOMER, PRODUCTS);
  const saveCpu = cpuSince(await cpuOf(bot, emulator), cpuBefore);
  const saveMeter = delta(await bot.meter(), before);
  await bot.stop();
  await connector.stop();
  const audit = await new CosmosDirectory(new DirectoryRepository(direct.containers.directory)).seatAudit(CUSTOMER);
  const seatsOk = Object.values(audit).every((s) => s.holders === s.consumed && !s.reservations);
  const templates = await writtenUsers(direct, sample);
  await store.close();
  await direct.database.delete();
  await direct.close();
  const { limit, limitCpu, naive, naiveCpu } = await limitAndNaive(emulator, proxy.endpoint, `limit-rtt-${users}`, templates, saveMeter.writes, users);
  await proxy.stop();
  const rows: Row[] = [
    { section: 'limit', what: `raw writes ×32, ${saveMeter.writes.toLocaleString('en-US')} docs, ${label}`, users, seconds: limit.writeSeconds, documents: limit.documents, ratioToLimit: 1, requestUnits: limit.documents, note: cpuNote(limitCpu, 'bench') },
    {
      section: 'License Desk', what: `assign 3 products: Save → result card, ${label}`, users, seconds: save.seconds, documents: saveMeter.writes,
      ratioToLimit: save.seconds / limit.writeSeconds, speedUpOverNaive: naive.seconds / save.seconds, requestUnits: saveMeter.requestCharge, largestCardBytes: save.largestCardBytes,
      note: `${save.updated.toLocaleString('en-US')} updated; ${saveMeter.requests.toLocaleString('en-US')} requests; ${cpuNote(saveCpu, 'bot')}`,
    },
    { section: 'naive', what: `user by user, read-modify-write, ${label}`, users, seconds: naive.seconds, documents: naive.users, ratioToLimit: naive.seconds / limit.writeSeconds, speedUpOverNaive: 1, requestUnits: 2 * naive.users, note: cpuNote(naiveCpu, 'bench') },
  ];
  return { rows, ldSeconds: save.seconds, limitSeconds: limit.writeSeconds, naiveSeconds: naive.seconds, largestCard: save.largestCardBytes, seatsOk };
}

export function delta(now: ReturnType<RequestMeter['snapshot']>, before: ReturnType<RequestMeter['snapshot']>) {
  return { requests: now.requests - before.requests, writes: now.writes - before.writes, requestCharge: now.requestCharge - before.requestCharge };
}
