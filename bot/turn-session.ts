// The admin's session during one turn: read once, changed in memory, written once. A click used to
// read the session four times and write it twice (each change a read-modify-write of its own).
//
// Within a turn every change is applied to the snapshot at once (later reads in the turn see it) and
// kept; `endTurn` writes the result once, with the ETag of the one read. If another click wrote the
// session meanwhile (412/409), it is read again and the turn's changes — pure functions of a session —
// are applied again to what is stored, so no click loses another's ticks. A change that changes
// nothing is not kept. After the turn (work that goes on in the background) every change is written
// at once, read-modify-write as before.
import type { HandlerContext } from './context';
import type { Session, SessionRepository } from './session';

type Change = (s: Session) => Session;
type Sessions = Pick<SessionRepository, 'get' | 'update' | 'getVersioned' | 'writeIfUnchanged'>;

export interface TurnSession extends Pick<HandlerContext, 'session' | 'updateSession' | 'updateSessionNow'> {
  /** Writes the turn's changes (if any) and lets later changes write through; call before the answer goes out. */
  endTurn(): Promise<void>;
}

/** Rounds of read-again-and-re-apply before giving up (each lost round is another click's write). */
const MAX_ROUNDS = 50;

export function turnSession(sessions: Sessions, id: string, options: { deferWrites?: boolean } = {}): TurnSession {
  let read: Promise<{ session: Session; version?: string }> | undefined;
  let current: Session | undefined;
  let version: string | undefined;
  let pending: Change[] = [];
  let deferring = options.deferWrites ?? false;
  let writing: Promise<void> = Promise.resolve();

  const load = async (): Promise<Session> => {
    if (current) return current;
    read ??= sessions.getVersioned(id).catch((err) => {
      read = undefined; // a failed read is not kept: the next call reads again
      throw err;
    });
    const got = await read;
    if (!current) {
      current = got.session;
      version = got.version;
    }
    return current;
  };

  const flush = async () => {
    for (let round = 0; pending.length; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`session ${id}: still contended after ${MAX_ROUNDS} rounds`);
      const written = await sessions.writeIfUnchanged(current!, version);
      if (written) {
        version = written;
        pending = [];
        return;
      }
      // Another click wrote first: its state, with this turn's changes applied again on top.
      const fresh = await sessions.getVersioned(id);
      version = fresh.version;
      current = pending.reduce((s, change) => change(s), fresh.session);
    }
  };

  const updateSession = async (change: Change): Promise<Session> => {
    if (!deferring) {
      const next = await sessions.update(id, change);
      current = next;
      version = undefined; // unknown after a write-through; a deferred write would read again
      read = Promise.resolve({ session: next });
      return next;
    }
    const before = await load();
    const next = change(before);
    if (JSON.stringify(next) === JSON.stringify(before)) return before;
    current = next;
    pending.push(change);
    return next;
  };

  return {
    session: load,
    updateSession,
    // Written before it returns (with what the turn changed so far): for a change with effects outside
    // the session that must wait until the session names the new state (an old selection base deleted).
    updateSessionNow: async (change) => {
      const next = await updateSession(change);
      if (!deferring) return next;
      await flush();
      return current!;
    },
    endTurn: async () => {
      deferring = false;
      writing = writing.then(flush);
      await writing;
    },
  };
}
