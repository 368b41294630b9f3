// The benchmark's side of the bot process (bot-process.ts): activities POSTed to its /api/messages as
// Teams sends them, replies received by the local fake connector in this process, and the bot's figures
// (Cosmos requests, CPU time, memory) asked over IPC. The same surface as harness/teams.ts' TeamsHarness.
import http from 'node:http';
import { SessionRepository } from '../bot/session';
import { cosmosDocuments } from '../domain/store/keyed-documents';
import type { CosmosStore } from '../domain/store/cosmos';
import { pressed, teamsActivity, type CardMessage, type Chat, type FakeConnector } from '../harness/teams';
import { startChild, type Child } from './child';
import { compiledBotProcess, productionNodeFlags } from './compiled-bot';
import type { MemoryReport } from './memory-watch';

export interface MeterSnapshot {
  requests: number;
  writes: number;
  requestCharge: number;
  byKind: Record<string, number>;
}

export class RemoteBot {
  private child!: Child<{ port: number }>;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    /** The driver's own client of the same database (to set sessions up as if the admin had clicked there). */
    private readonly store: CosmosStore,
    readonly connector: FakeConnector,
    private readonly database: string,
  ) {}

  async start(): Promise<this> {
    this.child = await startChild<{ port: number }>(await compiledBotProcess(), {
      BENCH_COSMOS_ENDPOINT: this.store.endpoint,
      BENCH_DATABASE: this.database,
      LOG_LEVEL: process.env.BENCH_BOT_LOG_LEVEL ?? 'info',
      MicrosoftAppId: '',
      BUY_MORE_URL: 'https://partner.microsoft.com/dashboard/commerce2/customers',
    }, ['--expose-gc', ...productionNodeFlags(), ...(process.env.BENCH_BOT_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_BOT_PROFILE}`] : [])]);
    return this;
  }

  get pid() {
    return this.child.pid;
  }

  stop() {
    this.agent.destroy();
    return this.child.stop();
  }

  sessions(): SessionRepository {
    return new SessionRepository(cosmosDocuments(this.store.containers.sessions));
  }

  meter = () => this.child.ask<MeterSnapshot>('meter');
  cpu = () => this.child.ask<NodeJS.CpuUsage>('cpu');
  memory = () => this.child.ask<MemoryReport>('memory');
  gc = () => this.child.ask<void>('gc');
  heapSnapshot = () => this.child.ask<string>('heap');
  waitForBackground = () => this.child.ask<void>('idle');

  private activity(chat: Chat, extra: Record<string, unknown>) {
    return teamsActivity(this.connector.url, chat, extra);
  }

  post(body: unknown): Promise<{ status: number; body: any }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.child.ready.port, path: '/api/messages', method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Types a message; the card the bot answered with (the turn posts it to the connector before it ends). */
  async say(chat: Chat, text: string): Promise<CardMessage> {
    const before = this.connector.messages.length;
    const res = await this.post(this.activity(chat, { type: 'message', text }));
    if (res.status >= 300) throw new Error(`message answered ${res.status}`);
    if (this.connector.messages.length === before) await this.waitForBackground();
    if (this.connector.messages.length === before) throw new Error('the bot did not answer');
    return this.connector.messages[before];
  }

  async click(chat: Chat, onMessage: string, verb: string, data: Record<string, unknown>): Promise<{ status: number; card: any; body: any }> {
    const res = await this.post(this.activity(chat, { type: 'invoke', name: 'adaptiveCard/action', replyToId: onMessage, value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } } } }));
    return { status: res.status, card: res.body?.value, body: res.body };
  }

  /** As TeamsHarness.press: the card's inputs go along with their current values, changed by `changes`. */
  press(chat: Chat, onMessage: string, card: any, title: string, changes: Record<string, string> = {}) {
    const { verb, data } = pressed(card, title, changes);
    return this.click(chat, onMessage, verb, data);
  }
}
