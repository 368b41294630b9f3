// The customer, its products and its summary read once per turn: a pasted "assign … to <list>" read the
// products twice (matching the names, then Manage licenses), select-all read the summary twice. Only
// while the turn runs, and any other call (a change, a refresh) forgets what was read: work that goes on
// after the answer (a Save's apply, its result card) reads afresh.
import type { LicenseService } from '../domain/service';

const READS = new Set<string | symbol>(['customer', 'customersFor', 'catalog', 'products', 'summary', 'freshness', 'departments']);

export function turnReads(service: LicenseService): { service: LicenseService; endTurn(): void } {
  let active = true;
  const memo = new Map<string, Promise<unknown>>();
  const proxy = new Proxy(service, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!active || !READS.has(name)) {
          memo.clear();
          return value.apply(target, args);
        }
        const key = `${String(name)}\n${JSON.stringify(args)}`;
        let result = memo.get(key);
        if (!result) {
          result = Promise.resolve(value.apply(target, args));
          // A failed read is not kept: the next call tries again.
          result.catch(() => memo.delete(key));
          memo.set(key, result);
        }
        return result;
      };
    },
  });
  return {
    service: proxy,
    endTurn: () => {
      active = false;
      memo.clear();
    },
  };
}
