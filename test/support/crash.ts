// A process dying mid-way, injected around the directory the way lossy.ts loses replies: after a
// number of user writes every further one throws, as a dead process writes nothing more.
import type { CustomerDirectory, UserLicenseWrite } from '../../domain/directory-port';
import type { ServiceBackends } from '../../domain/service';

/** Stands for the process dying: what apply rejects with once the crash has happened. */
export class SimulatedCrash extends Error {}

/** The same backends, but the directory dies after `userWrites` user writes went through. */
export function crashingAfter<B extends ServiceBackends>(backends: B, userWrites: number): B {
  let written = 0;
  // Sticky: a dead process writes nothing more, not even from writes already in flight.
  let crashed = false;
  const directory = new Proxy(backends.directory, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === 'applyUserChanges' && target.applyUserChanges) {
        // A batch: the writes the process had left in it go through, then it dies.
        return async (writes: UserLicenseWrite[]) => {
          const room = crashed ? 0 : Math.max(0, userWrites - written);
          const outcomes = room ? await target.applyUserChanges!(writes.slice(0, room)) : [];
          written += outcomes.filter((o) => o?.status === 'applied').length;
          if (room < writes.length) {
            crashed = true;
            throw new SimulatedCrash('simulated crash during a batch of user writes');
          }
          return outcomes;
        };
      }
      if (prop !== 'applyUserChange') return typeof value === 'function' ? value.bind(target) : value;
      return async (write: UserLicenseWrite) => {
        if (crashed || written >= userWrites) {
          crashed = true;
          throw new SimulatedCrash('simulated crash before a user write');
        }
        const outcome = await target.applyUserChange(write);
        if (outcome.status === 'applied') written++;
        return outcome;
      };
    },
  }) satisfies CustomerDirectory;
  return { ...backends, directory };
}
