// A real Cosmos DB emulator per test file, and a fresh database per test, seeded with the demo data.
import path from 'node:path';
import { importDataset, loadDataset, type Dataset } from '../../domain/dataset';
import { openCosmos, startEmbeddedEmulator, type CosmosStore } from '../../domain/store/cosmos';
import { LicenseService, type ServiceOptions } from '../../domain/service';

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

/** A new database holding the demo tenants, and a service on it. */
export async function demoService(options: ServiceOptions = {}, data?: Dataset) {
  const store = await emptyStore();
  await importDataset(store, data ?? (await demoDataset()));
  return { store, service: new LicenseService(store, options) };
}

export async function closeStores(): Promise<void> {
  // Only the client side: the emulator itself is shared by the file's tests and stops at exit.
  await Promise.all(open.splice(0).map((s) => s.close()));
  await emulator?.stop();
  emulator = undefined;
}
