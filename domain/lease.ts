// The lease on a running operation, and the fence that goes with it. Whoever holds the operation
// document's current version (its ETag) runs the operation; another process may take it over once the
// heartbeat is `staleAfterMs` old. A holder that stalled past that (a frozen VM, a long GC pause, a
// request stuck in the network) must never write again for that operation: every chunk and user write
// first calls `fence()`, which throws once the lease may have passed to someone else.
//
// The fence is local and conservative: the lease counts as ours only until `validForMs` (two thirds
// of `staleAfterMs`) after the heartbeat we last wrote was *sent*, so it ends well before anyone else
// may take over, leaving a third of the lease for clock skew and a write already on the wire. The
// operation document's own writes are also conditional on its ETag, so a lost lease is noticed there too.
import { RELEASED_HEARTBEAT, type OperationDoc, type OperationRepository } from './store/operations';

export class LeaseLostError extends Error {
  readonly code = 'leaseLost';
  constructor(readonly operationId: string) {
    super(`The lease on operation ${operationId} was lost; another process runs it now.`);
  }
}

export interface LeaseTiming {
  /** Another process may take the operation over once its heartbeat is this old. */
  staleAfterMs: number;
  /** The heartbeat is renewed this often while a chunk runs (0: only with each chunk). */
  renewEveryMs: number;
}

const nowIso = () => new Date().toISOString();

export class Lease {
  private current: OperationDoc;
  private validUntil: number;
  private lost = false;
  private writes: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  /** `op` was just written by us (created or taken over); `sentAt` is when that write was sent. */
  constructor(
    private readonly operations: OperationRepository,
    op: OperationDoc,
    sentAt: number,
    private readonly timing: LeaseTiming,
  ) {
    this.current = op;
    this.validUntil = sentAt + this.validForMs;
    if (timing.renewEveryMs > 0) {
      this.timer = setInterval(() => void this.renew().catch(() => undefined), timing.renewEveryMs);
      this.timer.unref();
    }
  }

  private get validForMs() {
    return Math.floor((this.timing.staleAfterMs * 2) / 3);
  }

  get op(): OperationDoc {
    return this.current;
  }

  get held(): boolean {
    return !this.lost && Date.now() < this.validUntil;
  }

  /** Throws unless the lease is still certainly ours: called before every write for the operation. */
  readonly fence = (): void => {
    if (!this.held) {
      this.lost = true;
      throw new LeaseLostError(this.current.id);
    }
  };

  /** Writes the operation document (the heartbeat with it), conditional on our version; serialized. */
  update(change: (op: OperationDoc) => OperationDoc): Promise<OperationDoc> {
    const write = this.writes.then(async () => {
      this.fence();
      const sentAt = Date.now();
      const next = await this.operations.replaceIfUnchanged({ ...change(this.current), heartbeatAt: nowIso() });
      if (!next) {
        this.lost = true;
        throw new LeaseLostError(this.current.id);
      }
      this.current = next;
      this.validUntil = sentAt + this.validForMs;
      return next;
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Just the heartbeat. */
  renew(): Promise<OperationDoc> {
    return this.update((op) => op);
  }

  /**
   * Lets go: the heartbeat is set to the epoch, so a sweep (this instance's or another's) takes the
   * operation over at once instead of waiting out the lease.
   */
  async release(): Promise<void> {
    this.stop();
    if (!this.held) return;
    await this.writes;
    this.lost = true;
    await this.operations.replaceIfUnchanged({ ...this.current, heartbeatAt: RELEASED_HEARTBEAT }).catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
