// A License Desk process on its own (a child of a test or of `npm run faults`, run as node --import tsx so
// that a signal reaches this very process, not a wrapper), so a test can send it
// SIGTERM or SIGKILL for real. It opens the store at COSMOS_ENDPOINT, and either starts a change
// (MODE=apply: USER_IDS of CUSTOMER get SKU) or finishes interrupted ones (MODE=recover), with the same
// graceful stop the bot has (bot/shutdown.ts). WRITE_DELAY_MS slows each user write, so the change is
// long enough to be interrupted. It prints one JSON line per event: progress, notify, done.
import { readFileSync } from 'node:fs';
import { shutDownGracefully } from '../../bot/shutdown';
import type { CustomerDirectory, UserLicenseWrite } from '../../domain/directory-port';
import { LicenseService } from '../../domain/service';
import { cosmosBackends } from '../../domain/store/backends';
import { openCosmos } from '../../domain/store/cosmos';

const env = process.env;
const say = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const store = await openCosmos({ endpoint: env.COSMOS_ENDPOINT!, key: 'test', database: env.COSMOS_DATABASE! });
  const backends = cosmosBackends(store);
  const delay = Number(env.WRITE_DELAY_MS ?? 0);
  const directory = new Proxy(backends.directory, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop !== 'applyUserChange') return typeof value === 'function' ? value.bind(target) : value;
      return async (write: UserLicenseWrite) => {
        await sleep(delay);
        return target.applyUserChange(write as never);
      };
    },
  }) satisfies CustomerDirectory;
  const service = new LicenseService({ ...backends, directory }, { chunkSize: Number(env.CHUNK_SIZE ?? 100) });
  // The admin's card, as the bot would update it: here, a line on stdout.
  service.notifyWith({
    progress: async (notify, p) => void say({ notify, card: 'progress', processed: p.processed, total: p.total }),
    finished: async (notify, r) => void say({ notify, card: 'result', status: r.status, counts: r.counts }),
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    void shutDownGracefully({ service, close: () => store.close() }).then((how) => {
      say({ stopped: how, ms: Date.now() - started });
      process.exit(0);
    });
  });
  say({ ready: true });
  if (env.MODE === 'apply') {
    const userIds = readFileSync(env.USER_IDS_FILE!, 'utf8').trim().split('\n');
    const result = await service.apply(
      { customerKey: env.CUSTOMER!, userIds, licensesToAssign: [{ skuId: env.SKU! }], mode: 'add', requestedBy: { aadObjectId: '00000000-0000-0000-0000-0000000000020', displayName: 'Alex Wilber' }, idempotencyKey: env.IDEMPOTENCY_KEY! },
      (p) => say({ progress: p.processed, total: p.total }),
      { conversation: 'test-chat', progressMessage: 'progress-1' },
    );
    say({ done: result.status, counts: result.counts });
  } else {
    // Recovery: sweep until nothing is left running (the lease of a killed process must run out first).
    for (;;) {
      const n = await service.recoverInterrupted({ staleAfterMs: Number(env.STALE_AFTER_MS ?? 60_000) });
      if (n) say({ recovered: n });
      const { resources } = await store.containers.operations.items.query('SELECT VALUE COUNT(1) FROM c WHERE c.type = "operation" AND c.status = "running"').fetchAll();
      if (!resources[0]) break;
      await sleep(500);
    }
    say({ done: 'recovered' });
  }
  if (!stopping) {
    await store.close();
    process.exit(0);
  }
}

main().catch((err) => {
  if (err?.code === 'stopping') return; // the graceful stop answers for itself
  say({ error: String(err?.message ?? err) });
  process.exit(1);
});
