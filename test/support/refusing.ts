// A directory that refuses some users' changes, as Graph answers 400 Request_BadRequest for a user
// (e.g. a conflict Microsoft enforces that the rules file does not describe).
import type { UserLicenseWrite } from '../../domain/directory-port';
import type { LicenseError } from '../../domain/errors';
import type { ServiceBackends } from '../../domain/service';

export function refusingUsers<B extends ServiceBackends>(backends: B, refused: Set<string>, error: LicenseError): B {
  const directory = new Proxy(backends.directory, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === 'applyUserChanges' && target.applyUserChanges) {
        // The refused ones are not decided by the batch: they meet their refusal user by user.
        return async (writes: UserLicenseWrite[]) => {
          const passed = writes.filter((w) => !refused.has(w.user.id));
          const outcomes = await target.applyUserChanges!(passed);
          return writes.map((w) => (refused.has(w.user.id) ? undefined : outcomes[passed.indexOf(w)]));
        };
      }
      if (prop !== 'applyUserChange') return typeof value === 'function' ? value.bind(target) : value;
      return async (write: UserLicenseWrite) => (refused.has(write.user.id) ? { status: 'rejected', error } : target.applyUserChange(write));
    },
  });
  return { ...backends, directory };
}
