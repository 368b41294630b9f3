// A real Cosmos DB emulator per test file, and a fresh database per test, seeded with the demo data.
import path from 'node:path';
import { importDataset, loadDataset, type Dataset } from '../../domain/dataset';
import { cosmosBackends } from '../../domain/store/backends';
import { openCosmos, startEmbeddedEmulator, type CosmosStore } from '../../domain/store/cosmos';
import { DirectoryRepository } from '../../domain/store/directory';
import { LicenseService, type ServiceOptions } from '../../domain/service';
import { crashingAfter } from './crash';

export const DEMO_DIR = path.resolve(__dirname, '../../data/demo');

let emulator: Awaited<ReturnType<typeof startEmbeddedEmulator>> | undefined;
let demo: Dataset | undefined;
const open: CosmosStore[] = [];
let counter = 0;

export async function emulatorEndpoint(): Promise<string> {
  emulator ??= await startEmbeddedEmulator();
  return emulator.endpoint;
}

/** A new empty database on the shared emulator. */
export async function emptyStore(): Promise<CosmosStore> {
  const endpoint = await emulatorEndpoint();
  const store = await openCosmos({ endpoint, key: 'test', database: `test-${process.pid}-${++counter}` });
  open.push(store);
  return store;
}

export async function demoDataset(): Promise<Dataset> {
  demo ??= await loadDataset(DEMO_DIR);
  return structuredClone(demo);
}

export interface TestServiceOptions extends ServiceOptions {
  /** The process dies after this many user writes (see crash.ts). */
  crashAfterUserWrites?: number;
}

/** A service on a store's containers, as the bot builds it; optionally one that will crash. */
export function serviceOn(store: Pick<CosmosStore, 'containers'>, options: TestServiceOptions = {}): LicenseService {
  const { crashAfterUserWrites, ...serviceOptions } = options;
  const backends = cosmosBackends(store);
  return new LicenseService(crashAfterUserWrites === undefined ? backends : crashingAfter(backends, crashAfterUserWrites), serviceOptions);
}

/** The store's users and products, read directly: what a test checks behind the service's back. */
export const directoryOf = (store: Pick<CosmosStore, 'containers'>) => new DirectoryRepository(store.containers.directory);

/** A new database holding the demo tenants, and a service on it. */
export async function demoService(options: TestServiceOptions = {}, data?: Dataset) {
  const store = await emptyStore();
  await importDataset(store, data ?? (await demoDataset()));
  return { store, service: serviceOn(store, options) };
}

export async function closeStores(): Promise<void> {
  // Only the client side: the emulator itself is shared by the file's tests and stops at exit.
  await Promise.all(open.splice(0).map((s) => s.close()));
  await emulator?.stop();
  emulator = undefined;
}
