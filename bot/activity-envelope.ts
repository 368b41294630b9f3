// The activity envelope the bot relies on, checked before botbuilder sees it: a field of the wrong
// type (a numeric serviceUrl, conversation id or locale, an object as text) is answered 400 naming the
// field, instead of throwing inside botbuilder or a turn (which answered 500 or 501).
//
// Shapes from the Bot Framework Activity schema (microsoft/botframework-sdk,
// specs/botframework-activity/botframework-activity.md) and the Teams activity documentation: only
// what the bot or botbuilder reads is checked; everything else is let through as Teams sends it
// (unknown fields, unknown activity types and invoke names), so new Teams features are never refused.
import { z } from 'zod';

/** Deeper JSON than any activity Teams sends (an Adaptive Card payload is a few levels deep). */
export const MAX_ACTIVITY_DEPTH = 64;

// Optional fields may arrive as null from some channels: null is read as "absent" everywhere in the bot.
const text = (max: number) => z.string().max(max).nullish();
const id = (max = 1024) => z.string().min(1, 'must not be empty').max(max);

const serviceUrl = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** ChannelAccount: who sends or receives. */
const account = z.looseObject({
  id: id(),
  name: text(1024),
  aadObjectId: text(128),
  role: text(64),
});

const conversation = z.looseObject({
  id: id(2048),
  tenantId: text(128),
  conversationType: text(64),
  isGroup: z.boolean().nullish(),
  name: text(1024),
});

const channelData = z.looseObject({
  tenant: z.looseObject({ id: text(128) }).nullish(),
  // botbuilder's Teams handler switches on it for conversation, message update and delete events.
  eventType: text(128),
});

const timestamp = text(64);

export const activityEnvelopeSchema = z.looseObject({
  type: z.string().min(1, 'must not be empty').max(64),
  id: text(1024),
  channelId: id(64),
  serviceUrl,
  from: account,
  recipient: account,
  conversation,
  locale: text(100),
  text: z.string().nullish(),
  textFormat: text(32),
  value: z.unknown().optional(),
  name: text(256),
  replyToId: text(1024),
  channelData: channelData.nullish(),
  timestamp,
  localTimestamp: timestamp,
  expiration: timestamp,
  deliveryMode: text(32),
  action: text(64),
  membersAdded: z.array(account).nullish(),
  membersRemoved: z.array(account).nullish(),
  reactionsAdded: z.array(z.looseObject({ type: z.string().max(256) })).nullish(),
  reactionsRemoved: z.array(z.looseObject({ type: z.string().max(256) })).nullish(),
  entities: z.array(z.looseObject({ type: z.string().max(256) })).nullish(),
  attachments: z.array(z.looseObject({ contentType: z.string().max(256) })).nullish(),
}).superRefine((a, ctx) => {
  // botbuilder's Teams handler reads channelData.eventType of every Teams message update and delete.
  if (a.channelId === 'msteams' && (a.type === 'messageUpdate' || a.type === 'messageDelete') && !a.channelData) {
    ctx.addIssue({ code: 'custom', path: ['channelData'], message: `is required for a Teams ${a.type}` });
  }
});

export type ActivityEnvelope = z.infer<typeof activityEnvelopeSchema>;

export interface EnvelopeProblem {
  /** The fields that are wrong, as dotted paths (at most a few, each bounded). */
  fields: string[];
  /** One line for the sender, naming the fields; never echoing what was sent. */
  error: string;
}

const MAX_PROBLEMS = 3;
const MAX_SEGMENT = 40;

/** undefined when the envelope is fine; otherwise what is wrong with it. */
export function checkActivityEnvelope(body: unknown): EnvelopeProblem | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { fields: [], error: 'The body must be a Bot Framework activity (a JSON object with a "type").' };
  }
  if (depthExceeds(body, MAX_ACTIVITY_DEPTH)) {
    return { fields: [], error: `The activity is nested deeper than ${MAX_ACTIVITY_DEPTH} levels.` };
  }
  const parsed = activityEnvelopeSchema.safeParse(body);
  if (parsed.success) return undefined;
  const issues = parsed.error.issues.slice(0, MAX_PROBLEMS);
  const fields = issues.map((i) => fieldPath(i.path));
  const lines = issues.map((i, n) => `${fields[n]}: ${describe(i, valueAt(body, i.path))}`);
  const more = parsed.error.issues.length - issues.length;
  return { fields, error: `Malformed activity: ${lines.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}.` };
}

/** "conversation.id", "membersAdded[0].id"; keys are cut short, an attacker's key names are not echoed whole. */
function fieldPath(path: PropertyKey[]): string {
  if (!path.length) return '(activity)';
  return path
    .map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p).slice(0, MAX_SEGMENT)}`))
    .join('');
}

/** What is wrong, in words of our own: zod's messages are fine, but never with a received value in them. */
function describe(issue: z.core.$ZodIssue, received: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return received === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_big':
      return `is too long (at most ${issue.maximum})`;
    case 'too_small':
      return 'must not be empty';
    default:
      return issue.message.slice(0, 80);
  }
}

function valueAt(body: unknown, path: PropertyKey[]): unknown {
  let node = body;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  return node;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** Whether JSON nests deeper than `max`; iterative, so a hostile depth cannot overflow the stack here. */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
