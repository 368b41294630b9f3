// A directory whose write of one chosen user goes through a hook (to hold it, fail it, watch it), the
// others as usual — user by user, no batches, so the write held is that user's alone
// (test/domain/batched-user-writes.test.ts fences a batch).
import type { CustomerDirectory, UserLicenseWrite, UserWriteOutcome } from '../../domain/directory-port';

export function withUserWriteHook(
  directory: CustomerDirectory,
  userId: string,
  hook: (write: () => Promise<UserWriteOutcome<never>>) => Promise<UserWriteOutcome<never>>,
): CustomerDirectory {
  return new Proxy(directory, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === 'applyUserChanges') return undefined;
      if (prop !== 'applyUserChange') return typeof value === 'function' ? value.bind(target) : value;
      return async (write: UserLicenseWrite) => {
        const send = () => target.applyUserChange(write as never) as Promise<UserWriteOutcome<never>>;
        return write.user.id === userId ? hook(send) : send();
      };
    },
  });
}
