// License Desk as Teams drives it: activities POSTed to /api/messages, cards read back from the local
// fake connector (harness/teams.ts). Interactive timings (p50/p95) and the Save of a large change.
import { performance } from 'node:perf_hooks';
import { sessionIdFor, type Session } from '../bot/session';
import { button, personalChat, PEOPLE, textOf, type TeamsHarness } from '../harness/teams';

export interface Timing {
  p50: number;
  p95: number;
  max: number;
  runs: number;
}

export function summarizeTimes(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1], runs: sorted.length };
}

async function sample(runs: number, once: (i: number) => Promise<number>): Promise<Timing> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once(i));
  return summarizeTimes(times);
}

async function stopwatch(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

export const chat = personalChat(PEOPLE.alex);
const sessionId = sessionIdFor(chat.conversation.id, PEOPLE.alex.aadObjectId);

export function setSession(teams: TeamsHarness, change: (s: Session) => Session) {
  return teams.sessions().update(sessionId, change);
}

export interface PastedLists {
  /** Names to paste (one per line), e.g. 1,000 UPNs; and a longer list when the customer has it. */
  [label: string]: string[];
}

/** p50/p95 of `runs` of each interactive step on a customer's users card. */
export async function interactiveTimings(teams: TeamsHarness, customerKey: string, ids: string[], pasted: PastedLists, runs = 20): Promise<Record<string, Timing>> {
  await setSession(teams, (s) => ({ ...s, customerKey, selected: [], filter: {}, anchor: {}, draft: undefined }));
  const users = await teams.say(chat, 'users');
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
  const matching = selectAllMatchingTitle(card);
  if (matching) {
    out['select all matching'] = await sample(runs, async () => {
      await setSession(teams, (s) => ({ ...s, selected: [], selectAll: undefined }));
      return stopwatch(() => press(matching));
    });
  }
  const thousand = ids.slice(0, 1000);
  out['open Manage, 1,000 selected'] = await sample(runs, async () => {
    await setSession(teams, (s) => ({ ...s, selected: thousand, selectAll: undefined, draft: undefined }));
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

/** The "Select all N matching" button's title, where the card has one. */
function selectAllMatchingTitle(card: unknown): string | undefined {
  try {
    return button(card, 'Select all').title;
  } catch {
    return undefined;
  }
}

export interface SaveFigures {
  /** From the Save click to the result card at the connector. */
  seconds: number;
  /** Save's invoke answered after (s). */
  answerSeconds: number;
  updated: number;
  largestCardBytes: number;
}

/** Selects `ids`, opens Manage licenses, ticks `skuIds` to assign and presses Save (and Save anyway if asked). */
export async function saveThroughTeams(teams: TeamsHarness, customerKey: string, ids: string[], skuIds: string[]): Promise<SaveFigures> {
  await setSession(teams, (s) => ({ ...s, customerKey, selected: ids, selectAll: undefined, draft: undefined }));
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
