// Download CSV: a link to GET /results/{customer}/{operation}.csv signed with HMAC-SHA256 for one
// person, one result and one language, valid for an hour. The signature is the authorization of the
// link (no Teams token comes with a browser's GET); the person it was issued to is authorized again on
// every download, so an admin removed since cannot use a link they still have.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Lang } from '../cards/i18n';
import type { Actor } from '../domain/access';
import type { KeyedDocuments } from '../domain/store/keyed-documents';

export const RESULT_LINK_TTL_MS = 60 * 60_000;

export interface LinkFor {
  customerKey: string;
  operationId: string;
  actor: Actor;
  lang: Lang;
}

/** Who a link was issued to, as an actor to authorize: an Entra object id, or (local mode) the playground's user id. */
export interface VerifiedLink {
  actor: Actor;
  lang: Lang;
}

export class ResultLinks {
  private readonly key: Buffer;

  constructor(
    /** RESULT_LINK_KEY; without it a key per process (links then die with the process and are per instance). */
    key: string | undefined,
    /** The bot's public address, e.g. https://license-desk.azurewebsites.net (read when a link is made). */
    private readonly baseUrl: () => string | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.key = key ? Buffer.from(key, 'utf8') : randomBytes(32);
  }

  /** The link for this person, or undefined when the bot does not know its own address. */
  urlFor(link: LinkFor): string | undefined {
    const base = this.baseUrl();
    const to = link.actor.aadObjectId ? `oid:${link.actor.aadObjectId}` : link.actor.userId ? `uid:${link.actor.userId}` : undefined;
    if (!base || !to) return undefined;
    const exp = String(Math.floor((this.now() + RESULT_LINK_TTL_MS) / 1000));
    const query = new URLSearchParams({ to, lang: link.lang, exp, sig: this.sign(link.customerKey, link.operationId, to, link.lang, exp) });
    return `${base.replace(/\/$/, '')}/results/${encodeURIComponent(link.customerKey)}/${encodeURIComponent(link.operationId)}.csv?${query}`;
  }

  /** The link's person and language, if its signature is good for this customer and result and it has not expired. */
  verify(customerKey: string, operationId: string, query: Record<string, unknown>): VerifiedLink | undefined {
    const [to, lang, exp, sig] = ['to', 'lang', 'exp', 'sig'].map((k) => (typeof query[k] === 'string' ? (query[k] as string) : ''));
    if (!to || !sig || (lang !== 'en' && lang !== 'de') || !/^\d{1,12}$/.test(exp)) return undefined;
    const expected = Buffer.from(this.sign(customerKey, operationId, to, lang, exp));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Number(exp) * 1000 < this.now()) return undefined;
    const actor: Actor = to.startsWith('oid:') ? { aadObjectId: to.slice(4) } : to.startsWith('uid:') ? { userId: to.slice(4) } : {};
    return actor.aadObjectId || actor.userId ? { actor, lang } : undefined;
  }

  private sign(customerKey: string, operationId: string, to: string, lang: string, exp: string): string {
    return createHmac('sha256', this.key).update(['result-csv/v1', customerKey, operationId, to, lang, exp].join('\n')).digest('base64url');
  }
}

/** Where the shared signing key lives: a document of its own beside the sessions (whose ids are hashes). */
export const SHARED_LINK_KEY_ID = 'result-link-key';
const sharedKeySchema = z.object({ id: z.literal(SHARED_LINK_KEY_ID), key: z.string().min(32) });

/**
 * Without RESULT_LINK_KEY: one random key for every instance and every restart, made by whoever starts
 * first and kept in the store (conditional write: two instances starting together end with one key).
 * So links work across instances with no secret to configure; whoever can read the store can read the
 * results themselves anyway, so the key adds no reader.
 */
export async function sharedResultLinkKey(documents: KeyedDocuments): Promise<string> {
  const fresh = randomBytes(48).toString('base64url');
  const stored = await documents.update(SHARED_LINK_KEY_ID, (current) => {
    const kept = sharedKeySchema.safeParse(current);
    return kept.success ? kept.data : { id: SHARED_LINK_KEY_ID, key: fresh };
  });
  return sharedKeySchema.parse(stored).key;
}
