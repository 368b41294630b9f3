// Each admin's working state per conversation (customer, selection, filter, draft), in Cosmos so it
// survives restarts and so, in a shared chat, one admin's selection is never another's.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { licenseToAssignSchema } from '../domain/model';
import type { KeyedDocuments } from '../domain/store/keyed-documents';
import { DEFAULT_SELECTION_OPTIONS, emptySelectionRef, selectionRefSchema, SelectionStore, type SelectionStoreOptions } from './selection-store';

const draftSchema = z.object({
  choices: z.record(z.string(), z.enum(['assign', 'remove', 'keep'])),
  disabledPlans: z.record(z.string(), z.array(z.string())),
});

/** The longest filter text kept: what the users card's search box holds (its maxLength). */
export const MAX_FILTER_CHARS = 100;

/**
 * A whole id list under `selected` (sessions stored before the selection store, and set-ups in tests
 * and the benchmark) replaces the selection, kept inline; the next change folds it if it is long.
 */
function legacySelected(doc: unknown): unknown {
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { selected?: unknown }).selected)) return doc;
  const { selected, ...rest } = doc as { selected: unknown[] };
  return { ...rest, selection: { added: [...new Set(selected.filter((id): id is string => typeof id === 'string'))], removed: [] } };
}

export const sessionSchema = z.preprocess(legacySelected, z.object({
  id: z.string(),
  customerKey: z.string().optional(),
  /** Who is selected: a reference to a base in chunk documents plus small deltas (selection-store.ts). */
  selection: selectionRefSchema.default(emptySelectionRef),
  // A longer text stored before the limit existed is dropped on read, so such a session recovers.
  filter: z
    .object({
      text: z.string().max(MAX_FILTER_CHARS).optional().catch(undefined),
      department: z.string().optional(),
      skuId: z.string().optional(),
      lacksSkuId: z.string().optional(),
      usageLocation: z.string().optional(),
      accountEnabled: z.boolean().optional(),
    })
    .default({}),
  /** Where the users list is: the sort keys around the current page. */
  anchor: z.object({ firstKey: z.string().optional(), lastKey: z.string().optional() }).default({}),
  draft: draftSchema.optional(),
  /**
   * The Manage licenses card last shown: its id, the selection it was for, and per product the value
   * its input had before the admin touched it (from who held what). Save changes only what differs.
   */
  manageCard: z.object({ cardId: z.string(), selectionHash: z.string(), baseline: z.record(z.string(), z.string()) }).optional(),
  /** A change shown in the preview card, waiting for "Save anyway"; tied to that card and selection. */
  pendingSave: z
    .object({
      cardId: z.string(),
      /** The selection the preview was for (a hash: selections can be long). */
      selectionHash: z.string().optional(),
      /** Or: a "Retry failed" of this operation. */
      retryOf: z.object({ customerKey: z.string(), operationId: z.string() }).optional(),
      change: z.object({ assign: z.array(licenseToAssignSchema), remove: z.array(z.string()) }),
    })
    .optional(),
  updatedAt: z.string().optional(),
}));
export type Session = z.infer<typeof sessionSchema>;

/** Channel threads share their channel's session: Teams appends ";messageid=…" per thread. */
export function sessionIdFor(conversationId: string, person: string): string {
  const conversation = conversationId.split(';messageid=')[0];
  return createHash('sha256').update(`${conversation}\n${person}`).digest('hex').slice(0, 40);
}

export class SessionRepository {
  /** The selections' chunk documents, beside the sessions (same container, their own ids). */
  readonly selections: SelectionStore;

  constructor(
    private readonly documents: KeyedDocuments,
    selectionOptions: SelectionStoreOptions = DEFAULT_SELECTION_OPTIONS,
  ) {
    this.selections = new SelectionStore(documents, selectionOptions);
  }

  async get(id: string): Promise<Session> {
    return sessionSchema.parse((await this.documents.read(id)) ?? { id });
  }

  /** The session and the version it was read at (for writeIfUnchanged: one read and one write per turn). */
  async getVersioned(id: string): Promise<{ session: Session; version?: string }> {
    const { doc, version } = await this.documents.readVersioned(id);
    return { session: sessionSchema.parse(doc ?? { id }), version };
  }

  /** Stores `session` if nobody wrote it since `version` was read: the new version, or undefined. */
  writeIfUnchanged(session: Session, version: string | undefined): Promise<string | undefined> {
    return this.documents.writeIfUnchanged({ ...session, updatedAt: new Date().toISOString() } as Session, version);
  }

  /**
   * Read-modify-write with the ETag, so two quick clicks cannot lose each other's ticks. A write repeated
   * after a lost reply meets 412/409 and is simply applied again to what is stored: the changes are idempotent.
   */
  async update(id: string, change: (s: Session) => Session): Promise<Session> {
    const stored = await this.documents.update(id, (doc) => ({
      ...change(sessionSchema.parse(doc ?? { id })), id, updatedAt: new Date().toISOString(),
    }));
    return sessionSchema.parse(stored);
  }
}
