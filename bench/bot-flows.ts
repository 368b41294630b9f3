// License Desk as Teams drives it: activities POSTed to /api/messages, cards read back from the local
// fake connector. Interactive timings (p50/p95), with what each click cost the bot process (Cosmos
// requests, CPU time) and the emulator (CPU time): deterministic proxies on a loaded machine. And the
// Save of a large change.
import { performance } from 'node:perf_hooks';
import { sessionIdFor, type Session, type SessionRepository } from '../bot/session';
import { button, buttons, personalChat, PEOPLE, textOf, type CardMessage, type Chat, type FakeConnector } from '../harness/teams';

export interface Timing {
  p50: number;
  p95: number;
  max: number;
  runs: number;
  /** Per click, averaged over the runs (when the bot process was probed). */
  requests?: number;
  requestCharge?: number;
  botCpuMs?: number;
  emulatorCpuMs?: number;
  /** The bot process's peak RSS (VmHWM, MiB) once the step's runs were done: which step raised it. */
  peakRssMiB?: number;
  /** Why the step failed (no timing then). */
  failed?: string;
  /** Cosmos requests per click by kind ("read sessions", "query directory"…). */
  byKind?: Record<string, number>;
}

/** What the flows need of a bot: TeamsHarness (in this process) or RemoteBot (bench/remote-bot.ts). */
export interface TeamsDriver {
  connector: FakeConnector;
  say(chat: Chat, text: string): Promise<CardMessage>;
  click(chat: Chat, onMessage: string, verb: string, data: Record<string, unknown>): Promise<{ status: number; card: any; body: any }>;
  press(chat: Chat, onMessage: string, card: any, title: string, changes?: Record<string, string>): Promise<{ status: number; card: any; body: any }>;
  waitForBackground(): Promise<void>;
  sessions(): SessionRepository;
}

/** Counters read before and after each timed click, outside its stopwatch. */
export interface Probe {
  /** The bot process's VmHWM so far, MiB. */
  peakRssMiB?(): Promise<number>;
  read(): Promise<{ requests: number; requestCharge: number; byKind: Record<string, number>; botCpuUs: number; emulatorCpuUs: number }>;
}

export function summarizeTimes(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1], runs: sorted.length };
}

let probe: Probe | undefined;

async function sample(runs: number, once: (i: number) => Promise<number>): Promise<Timing> {
  const times: number[] = [];
  const cost = { requests: 0, requestCharge: 0, botCpuUs: 0, emulatorCpuUs: 0, byKind: {} as Record<string, number> };
  try {
    for (let i = 0; i < runs; i++) times.push(await once(i));
  } catch (err) {
    // A step that fails is reported as failed (the rest of the run goes on).
    probed.splice(0);
    console.error(err);
    return { p50: NaN, p95: NaN, max: NaN, runs: times.length, failed: String((err as Error).message ?? err).split('\n').join(' ').slice(0, 200) };
  }
  const t: Timing = { ...summarizeTimes(times), ...(probe?.peakRssMiB ? { peakRssMiB: await probe.peakRssMiB() } : {}) };
  if (!probe || !probed.length) return t;
  for (const d of probed.splice(0)) {
    cost.requests += d.requests;
    cost.requestCharge += d.requestCharge;
    cost.botCpuUs += d.botCpuUs;
    cost.emulatorCpuUs += d.emulatorCpuUs;
    for (const [k, v] of Object.entries(d.byKind)) cost.byKind[k] = (cost.byKind[k] ?? 0) + v;
  }
  return {
    ...t,
    requests: cost.requests / runs,
    requestCharge: cost.requestCharge / runs,
    botCpuMs: cost.botCpuUs / runs / 1000,
    emulatorCpuMs: cost.emulatorCpuUs / runs / 1000,
    byKind: Object.fromEntries(Object.entries(cost.byKind).map(([k, v]) => [k, v / runs])),
  };
}

const probed: Awaited<ReturnType<Probe['read']>>[] = [];

/** Times `work`; with a probe, also what it cost (counters read around it, not inside the time). */
async function stopwatch(work: () => Promise<unknown>): Promise<number> {
  const before = probe ? await probe.read() : undefined;
  const t = performance.now();
  await work();
  const ms = performance.now() - t;
  if (probe && before) {
    const after = await probe.read();
    const byKind: Record<string, number> = {};
    for (const [k, v] of Object.entries(after.byKind)) if (v - (before.byKind[k] ?? 0)) byKind[k] = v - (before.byKind[k] ?? 0);
    probed.push({ requests: after.requests - before.requests, requestCharge: after.requestCharge - before.requestCharge, byKind, botCpuUs: after.botCpuUs - before.botCpuUs, emulatorCpuUs: after.emulatorCpuUs - before.emulatorCpuUs });
  }
  return ms;
}

export const chat = personalChat(PEOPLE.alex);
const sessionId = sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId);

export function setSession(teams: TeamsDriver, change: (s: Session) => Session) {
  return teams.sessions().update(sessionId, change);
}

export interface PastedLists {
  /** Names to paste (one per line), e.g. 1,000 UPNs; and a longer list when the customer has it. */
  [label: string]: string[];
}

/** p50/p95 of `runs` of each interactive step on a customer's users card. */
// Selections are made as an admin makes them (clear, select all matching, a pasted list), so the bench
// does not depend on how the session stores them.
export async function interactiveTimings(teams: TeamsDriver, customerKey: string, thousandUpns: string[], pasted: PastedLists, runs = 20, withProbe?: Probe): Promise<Record<string, Timing>> {
  probe = withProbe;
  await setSession(teams, (s) => ({ ...s, customerKey, filter: {}, anchor: {}, draft: undefined }));
  const users = await teams.say(chat, 'users');
  const clearSelection = async () => {
    const r = await teams.click(chat, users.id, 'clearSelection', { pageUserIds: '' });
    if (r.status !== 200 || !/0 selected/.test(textOf(r.card))) throw new Error(`clear selection: answered ${r.status}`);
  };
  await clearSelection();
  let card = users.card;
  const press = async (title: string, changes: Record<string, string> = {}) => {
    const r = await teams.press(chat, users.id, card, title, changes);
    if (r.status !== 200 || !r.card) throw new Error(`${title}: answered ${r.status}`);
    card = r.card;
  };
  const out: Record<string, Timing> = {};
  out['Next'] = await sample(runs, () => stopwatch(() => press('Next')));
  out['Last'] = await sample(runs, async () => {
    await press('First');
    return stopwatch(() => press('Last'));
  });
  const filters: Record<string, string>[] = [{ filterDepartment: 'Finance' }, { filterText: 'miller' }, { filterLicense: 'none' }, { filterDepartment: '*', filterText: '' }];
  out['a filter'] = await sample(runs, (i) => stopwatch(() => press('Apply filter', filters[i % filters.length])));
  await press('Clear filter');
  out['select all on page'] = await sample(runs, async () => {
    await press('Next');
    return stopwatch(() => press('Select all on this page'));
  });
  // "Select all N matching" (verb selectMatching); clicked by its verb when the card lacks the button.
  out['select all matching'] = await sample(runs, async () => {
    await clearSelection();
    const b = buttons(card).find((x) => x.verb === 'selectMatching');
    return stopwatch(async () => {
      const r = b ? await teams.press(chat, users.id, card, b.title) : await teams.click(chat, users.id, 'selectMatching', { pageUserIds: '' });
      if (r.status !== 200 || !/selected/.test(textOf(r.card))) throw new Error(`select all matching: answered ${r.status}`);
    });
  });
  const selected = await teams.say(chat, `select\n${thousandUpns.join('\n')}`);
  if (!/Selection set to/.test(textOf(selected.card))) throw new Error(`select 1,000: ${textOf(selected.card).slice(0, 200)}`);
  out['open Manage, 1,000 selected'] = await sample(runs, async () => {
    return stopwatch(async () => {
      const r = await teams.click(chat, users.id, 'manageLicenses', { pageUserIds: '' });
      if (!/Manage licenses/.test(textOf(r.card))) throw new Error('Manage licenses did not open');
    });
  });
  for (const [label, names] of Object.entries(pasted)) {
    out[label] = await sample(runs, () =>
      stopwatch(async () => {
        const answer = await teams.say(chat, `assign Power BI Pro to\n${names.join('\n')}`);
        if (!/Manage licenses/.test(textOf(answer.card))) throw new Error(`${label}: ${textOf(answer.card).slice(0, 200)}`);
      }),
    );
  }
  return out;
}

export interface SaveFigures {
  /** From the Save click to the result card at the connector. */
  seconds: number;
  /** Save's invoke answered after (s). */
  answerSeconds: number;
  updated: number;
  largestCardBytes: number;
}

/** Selects every user (Select all matching, no filter), opens Manage licenses, ticks `skuIds` to assign and presses Save (and Save anyway if asked). */
export async function saveThroughTeams(teams: TeamsDriver, customerKey: string, skuIds: string[]): Promise<SaveFigures> {
  await setSession(teams, (s) => ({ ...s, customerKey, filter: {}, anchor: {}, draft: undefined }));
  const users = await teams.say(chat, 'users');
  await teams.click(chat, users.id, 'clearSelection', { pageUserIds: '' });
  const all = await teams.click(chat, users.id, 'selectMatching', { pageUserIds: '' });
  if (all.status !== 200) throw new Error(`select all matching: answered ${all.status}`);
  const manage = await teams.say(chat, 'licenses');
  const save = button(manage.card, 'Save');
  const ticks = Object.fromEntries(skuIds.map((s) => [`product_${s}`, 'assign']));
  const before = teams.connector.messages.length;
  const t = performance.now();
  const answer = await teams.click(chat, manage.id, 'saveLicenses', { ...save.data, ...ticks });
  const answerSeconds = (performance.now() - t) / 1000;
  await teams.waitForBackground();
  const anyway = teams.connector.messages.slice(before).find((m) => /Save anyway/.test(JSON.stringify(m.card)));
  if (anyway) {
    await teams.press(chat, anyway.id, anyway.card, 'Save anyway');
    await teams.waitForBackground();
  }
  const seconds = (performance.now() - t) / 1000;
  const cards = [manage.card, answer.card, ...teams.connector.messages.slice(before).flatMap((m) => m.versions)];
  const result = cards.map((c) => textOf(c)).reverse().find((x) => /updated/.test(x)) ?? '';
  const updated = Number(/(\d[\d,]*) updated/.exec(result)?.[1]?.replace(/,/g, '') ?? NaN);
  return { seconds, answerSeconds, updated, largestCardBytes: Math.max(...cards.map((c) => Buffer.byteLength(JSON.stringify(c ?? {})))) };
}
