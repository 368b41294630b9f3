// Documents addressed by their id alone and changed whole: what the bot keeps per admin and
// conversation. A small port, so bot/ never touches a container; the content is the caller's to check.
import type { Container } from '@azure/cosmos';
import { deleteItem, isConflict, isPreconditionFailed, readItem, readModifyWrite, stripDoc, withRetry } from './cosmos';

/** A stored document and its version (undefined: none is stored). */
export interface Versioned {
  doc: unknown;
  version?: string;
}

export interface KeyedDocuments {
  /** The stored document (unchecked), or undefined. */
  read(id: string): Promise<unknown>;
  /**
   * Read-modify-write under the store's concurrency control: `change` gets the stored document (or
   * undefined) and returns the next one; it may run more than once (lost races), so it must be pure.
   * Returns what was stored.
   */
  update(id: string, change: (current: unknown) => { id: string }): Promise<unknown>;
  /** Writes a document whole (upsert): for content that is the same whenever it is written, so a repeat is harmless. */
  put(doc: { id: string }): Promise<void>;
  /** Deletes a document; one already gone is no error. */
  remove(id: string): Promise<void>;
  /** The stored document with its version, for a later writeIfUnchanged. */
  readVersioned(id: string): Promise<Versioned>;
  /**
   * Writes `doc` only if the stored version is still `version` (undefined: only if none is stored):
   * the new version, or undefined when another write came first (read again and re-apply).
   */
  writeIfUnchanged(doc: { id: string }, version: string | undefined): Promise<string | undefined>;
}

/** Stripped of Cosmos' system properties, so what comes back can be checked as the caller's own shape. */
function withoutSystemFields(doc: object | undefined): unknown {
  return doc && Object.fromEntries(Object.entries(doc).filter(([k]) => !k.startsWith('_')));
}

/** A container partitioned on /id (one logical partition per document). */
export function cosmosDocuments(container: Container): KeyedDocuments {
  return {
    read: async (id) => withoutSystemFields(await readItem<{ id: string }>(container, id, id)),
    update: async (id, change) => withoutSystemFields(await readModifyWrite<{ id: string }>(container, id, id, (doc) => change(withoutSystemFields(doc)))),
    // An upsert repeated after a lost reply writes the same content again: retried like a read.
    put: async (doc) => {
      await withRetry(() => container.items.upsert(stripDoc(doc)));
    },
    remove: (id) => deleteItem(container, id, id),
    readVersioned: async (id) => {
      const stored = await readItem<{ id: string }>(container, id, id);
      return { doc: withoutSystemFields(stored), version: stored?._etag };
    },
    writeIfUnchanged: async (doc, version) => {
      try {
        // A write repeated after a lost reply meets 412/409 like any other: the caller reads and re-applies.
        const { resource } = version
          ? await withRetry(() => container.item(doc.id, doc.id).replace(stripDoc(doc), { accessCondition: { type: 'IfMatch', condition: version } }))
          : await withRetry(() => container.items.create(stripDoc(doc)));
        return resource?._etag;
      } catch (err) {
        if (isPreconditionFailed(err) || isConflict(err)) return undefined;
        throw err;
      }
    },
  };
}
