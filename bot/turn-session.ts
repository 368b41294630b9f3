// One session snapshot per turn. A Save used to read the admin's session about eight times; now the
// first read is kept for the turn and each of the turn's own writes (read-modify-write with the ETag,
// so no other click's change is lost) replaces it with what was stored.
import type { HandlerContext } from './context';
import type { Session, SessionRepository } from './session';

export function turnSession(sessions: Pick<SessionRepository, 'get' | 'update'>, id: string): Pick<HandlerContext, 'session' | 'updateSession'> {
  let snapshot: Promise<Session> | undefined;
  return {
    session: () =>
      (snapshot ??= sessions.get(id).catch((err) => {
        snapshot = undefined; // a failed read is not kept: the next call reads again
        throw err;
      })),
    updateSession: async (change) => {
      const next = await sessions.update(id, change);
      snapshot = Promise.resolve(next);
      return next;
    },
  };
}
