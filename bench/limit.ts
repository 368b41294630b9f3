// The store's limit: raw single-document writes at concurrency 32 over one keep-alive agent, for as
// many documents as License Desk wrote (copies of users as its Save left them, marks included, so of
// the same size), then one query reading them all back. No rules, no marks written, no
// seats: what the emulator can do at best with documents of the same size.
import type { Container } from '@azure/cosmos';
import { mapLimit } from '../domain/map-limit';
import { queryAll, withRetry } from '../domain/store/cosmos';
import type { UserDoc } from '../domain/store/directory';
import { timed } from './measure';

export interface LimitFigures {
  documents: number;
  writeSeconds: number;
  readBackSeconds: number;
}

/** Writes `count` copies of `templates` (ids made unique) into `container` under `customerId`. */
export async function limitRun(container: Container, customerId: string, templates: UserDoc[], count: number): Promise<LimitFigures> {
  const docs = Array.from({ length: count }, (_, i) => ({ ...templates[i % templates.length], id: `limit-${i}`, customerId }));
  const [, writeSeconds] = await timed(() => mapLimit(docs, 32, (d) => withRetry(() => container.items.upsert(d))));
  const [rows, readBackSeconds] = await timed(() => queryAll(container, 'SELECT * FROM c WHERE c.customerId = @c', [{ name: '@c', value: customerId }]));
  if (rows.length < count) throw new Error(`limit: read back ${rows.length} of ${count}`);
  return { documents: count, writeSeconds, readBackSeconds };
}
