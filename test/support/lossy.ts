// A Cosmos container whose writes go through but whose replies are sometimes lost (a 408 after the
// write was applied): the network failing, over the real emulator, not a mock store.
import type { Container } from '@azure/cosmos';

export function losingReplies(container: Container, lose: (n: number) => boolean): { container: Container; writes: () => number } {
  let writes = 0;
  const lost = () => Object.assign(new Error('Request timed out'), { code: 408 });
  const wrap = <T extends object>(target: T, methods: string[]): T =>
    new Proxy(target, {
      get(t, p) {
        const value = Reflect.get(t, p);
        if (!methods.includes(p as string)) return typeof value === 'function' ? value.bind(t) : value;
        return async (...args: unknown[]) => {
          const response = await (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
          if (lose(++writes)) throw lost();
          return response;
        };
      },
    });
  const proxy = new Proxy(container, {
    get(target, prop, receiver) {
      if (prop === 'item') return (id: string, pk: string) => wrap(target.item(id, pk), ['replace']);
      // A batch's reply lost after the emulator applied it, too (batched user writes, batched upserts).
      if (prop === 'items') return wrap(target.items, ['create', 'batch']);
      return Reflect.get(target, prop, receiver);
    },
  });
  return { container: proxy, writes: () => writes };
}
