// Teams over HTTP, as it really talks to a bot: activities POSTed to /api/messages, and the bot's
// replies, updates and proactive messages received by a local fake Bot Connector (the serviceUrl).
// Used by the HTTP tests and by the benchmark (loopback only).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createApp, type App, type Log } from '../bot/server';
import { SessionRepository } from '../bot/session';
import type { Logger } from '../domain/logging';
import { LicenseService, type ServiceBackends, type ServiceOptions } from '../domain/service';
import { cosmosBackends } from '../domain/store/backends';
import type { KeyedDocuments } from '../domain/store/keyed-documents';
import type { CosmosStore } from '../domain/store/cosmos';

export interface CardMessage {
  id: string;
  conversationId: string;
  card: any;
  /** Every version of it, oldest first (updateActivity adds one). */
  versions: any[];
}

export class FakeConnector {
  readonly messages: CardMessage[] = [];
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const m = req.url!.match(/^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/);
        const activity = body ? JSON.parse(body) : {};
        const card = activity.attachments?.[0]?.content;
        if (m && req.method === 'POST') {
          const id = `msg-${this.messages.length + 1}`;
          this.messages.push({ id, conversationId: decodeURIComponent(m[1]), card, versions: [card] });
          return json(res, 201, { id });
        }
        if (m && req.method === 'PUT' && m[2]) {
          const msg = this.messages.find((x) => x.id === decodeURIComponent(m[2]));
          if (!msg) return json(res, 404, { error: { code: 'NotFound', message: 'no such activity' } });
          msg.card = card;
          msg.versions.push(card);
          return json(res, 200, { id: msg.id });
        }
        json(res, 404, { error: { code: 'NotFound', message: req.url } });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  last(): CardMessage {
    return this.messages[this.messages.length - 1];
  }

  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export const TENANT = '00000000-0000-0000-0000-0000000000001';

/** What a Teams client sends for a button press: its verb, and its data with the card's non-empty inputs, changed by `changes`. */
export function pressed(card: any, title: string, changes: Record<string, string> = {}): { verb: string; data: Record<string, unknown> } {
  const b = button(card, title);
  const values: Record<string, string> = {};
  for (const input of inputs(card)) if (input.id && input.value !== undefined && input.value !== '') values[input.id] = String(input.value);
  const data: Record<string, unknown> = { ...b.data, ...values, ...changes };
  for (const [k, v] of Object.entries(data)) if (v === '') delete data[k];
  return { verb: b.verb, data };
}

/** An activity as Teams sends it to the bot from `chat`, replies going to `serviceUrl`. */
export function teamsActivity(serviceUrl: string, chat: Chat, extra: Record<string, unknown>) {
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: chat.from,
    recipient: { id: '28:license-desk', name: 'License Desk' },
    conversation: chat.conversation,
    locale: chat.locale ?? 'en-US',
    channelData: { tenant: { id: TENANT } },
    ...extra,
  };
}
export const PEOPLE = {
  alex: { id: 'user-id-0', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-0000000000020' },
  megan: { id: 'user-id-1', name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-0000000000021' },
  adele: { id: 'user-id-2', name: 'Adele Vance', aadObjectId: '00000000-0000-0000-0000-0000000000022' },
};

export interface Chat {
  conversation: { id: string; conversationType: 'personal' | 'groupChat' | 'channel'; isGroup?: boolean; tenantId: string };
  from: { id: string; name: string; aadObjectId: string };
  locale?: string;
}

export const personalChat = (from = PEOPLE.alex, locale = 'en-US'): Chat => ({
  conversation: { id: `personal-${from.id}`, conversationType: 'personal', tenantId: TENANT },
  from,
  locale,
});

export type HarnessBackends = ServiceBackends & { sessions: KeyedDocuments };

/** A running bot on a store, and helpers that send what Teams sends. */
export class TeamsHarness {
  app!: App;
  port = 0;
  service!: LicenseService;
  backends!: HarnessBackends;

  constructor(
    readonly store: CosmosStore,
    readonly connector: FakeConnector,
    /** The app's log: a callback for its warnings and errors, or a whole logger; silent unless a test listens. */
    private readonly log: Log | Logger = () => {},
    /** More settings for the app (e.g. RESULT_LINK_KEY). */
    private readonly settings: Partial<Parameters<typeof createApp>[0]> = {},
    /** Which backends the bot runs on (default: the Cosmos directory); Graph mode passes graphBackends. */
    private readonly mode: { backends: (store: CosmosStore) => HarnessBackends; options?: ServiceOptions } = { backends: cosmosBackends },
  ) {}

  async start(): Promise<this> {
    this.backends = this.mode.backends(this.store);
    this.service = new LicenseService(this.backends, this.mode.options);
    this.app = createApp(
      { MicrosoftAppType: 'MultiTenant', BUY_MORE_URL: 'https://partner.microsoft.com/dashboard/commerce2/customers', ...this.settings },
      this.backends.sessions,
      this.service,
      this.log,
    );
    this.port = await this.app.listen(0, '127.0.0.1');
    this.app.setReady(true);
    return this;
  }

  stop() {
    return this.app.close();
  }

  /** The sessions the bot keeps, to set one up as if the admin had clicked their way there. */
  sessions(): SessionRepository {
    return new SessionRepository(this.backends.sessions);
  }

  private activity(chat: Chat, extra: Record<string, unknown>) {
    return teamsActivity(this.connector.url, chat, extra);
  }

  async post(body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://127.0.0.1:${this.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Types a message; returns the card the bot answered with (a new message). */
  async say(chat: Chat, text: string): Promise<CardMessage> {
    const before = this.connector.messages.length;
    const res = await this.post(this.activity(chat, { type: 'message', text }));
    if (res.status >= 300) throw new Error(`message answered ${res.status}`);
    await this.app.background.idle();
    if (this.connector.messages.length === before) throw new Error('the bot did not answer');
    return this.connector.messages[before];
  }

  /** Clicks an Action.Execute button: returns the invoke response (the card that replaces the clicked one). */
  async click(chat: Chat, onMessage: string, verb: string, data: Record<string, unknown>): Promise<{ status: number; card: any; body: any }> {
    const res = await this.post(this.activity(chat, { type: 'invoke', name: 'adaptiveCard/action', replyToId: onMessage, value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } } } }));
    return { status: res.status, card: res.body?.value, body: res.body };
  }

  /**
   * Presses a button the way a Teams client does: the card's inputs go along with their current values
   * (an empty one is left out), changed by `changes` as the person ticked or typed.
   */
  async press(chat: Chat, onMessage: string, card: any, title: string, changes: Record<string, string> = {}) {
    const { verb, data } = pressed(card, title, changes);
    return this.click(chat, onMessage, verb, data);
  }

  /** Clicks an Action.Submit button: Teams sends a message whose value is the data and inputs. */
  async submit(chat: Chat, onMessage: string, value: Record<string, unknown>) {
    return this.post(this.activity(chat, { type: 'message', replyToId: onMessage, value }));
  }

  waitForBackground() {
    return this.app.background.idle();
  }
}

// ---- reading cards the way a person reads them ------------------------------------------------

export function texts(card: any): string[] {
  const out: string[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (node.type === 'TextBlock' && typeof node.text === 'string') out.push(node.text);
    if (node.type === 'FactSet') node.facts?.forEach((f: any) => out.push(`${f.title}: ${f.value}`));
    if (node.type === 'Input.Toggle') out.push(node.title);
    if (node.type === 'Input.ChoiceSet' && node.label) out.push(node.label);
    Object.values(node).forEach(walk);
  };
  walk(card);
  return out;
}

export const textOf = (card: any) => texts(card).join('\n');

/** Every Action.Execute on the card with its title, verb and data. */
export function buttons(card: any): { title: string; verb: string; data: any; isEnabled?: boolean }[] {
  const out: any[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (node.type === 'Action.Execute') out.push({ title: node.title, verb: node.verb, data: node.data, isEnabled: node.isEnabled });
    Object.values(node).forEach(walk);
  };
  walk(card);
  return out;
}

export function button(card: any, title: string) {
  const b = buttons(card).find((x) => x.title === title || x.title.startsWith(`${title} (`));
  if (!b) throw new Error(`no button "${title}" on the card; there are: ${buttons(card).map((x) => x.title).join(', ')}`);
  return b;
}

export function inputs(card: any): any[] {
  const out: any[] = [];
  const walk = (node: any) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node.type === 'string' && node.type.startsWith('Input.')) out.push(node);
    Object.values(node).forEach(walk);
  };
  walk(card);
  return out;
}

/** The user choices of the users list: title → id. */
export function userChoices(card: any): Map<string, string> {
  const selection = inputs(card).find((i) => i.id === 'selection');
  return new Map((selection?.choices ?? []).map((c: any) => [c.title.split(' · ')[0], c.value]));
}
