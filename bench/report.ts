// The benchmark's table and goals, printed and written with the command into BENCHMARKS.md.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One line of the table. Sections: "limit", "License Desk", "naive", and "Graph" (bench/graph.ts). */
export interface Row {
  section: string;
  what: string;
  users: number;
  seconds?: number;
  documents?: number;
  /** Ratio of this row's time to the limit's for the same documents (1 = as fast as raw writes). */
  ratioToLimit?: number;
  speedUpOverNaive?: number;
  peakRssMiB?: number;
  largestCardBytes?: number;
  /** p50/p95 in ms, for interactive steps. */
  p50?: number;
  p95?: number;
  /** Request units the server charged (the emulator charges 1 per request); per click for interactive steps. */
  requestUnits?: number;
  /** Per click: the bot process's Cosmos requests, its CPU time and the emulator's (deterministic proxies of speed). */
  requests?: number;
  botCpuMs?: number;
  emulatorCpuMs?: number;
  note?: string;
}

export interface Goal {
  goal: string;
  measured: string;
  ok: boolean;
  /** Why it was missed, by how much. */
  why?: string;
}

const f = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
const int = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : Math.round(v).toLocaleString('en-US'));

export function table(rows: Row[]): string {
  const head = ['section', 'what', 'users', 'time s', 'p50 ms', 'p95 ms', 'docs', 'docs/s', '× limit', '× naive', 'RU', 'requests /click', 'bot CPU ms /click', 'emulator CPU ms /click', 'peak RSS MiB', 'largest card B', 'note'];
  const lines = rows.map((r) => [
    r.section, r.what, int(r.users), f(r.seconds, 2), f(r.p50, 0), f(r.p95, 0), int(r.documents),
    r.documents && r.seconds ? int(r.documents / r.seconds) : '', f(r.ratioToLimit, 2), f(r.speedUpOverNaive, 1), r.p50 !== undefined ? f(r.requestUnits, 1) : int(r.requestUnits),
    f(r.requests, 1), f(r.botCpuMs, 0), f(r.emulatorCpuMs, 0),
    f(r.peakRssMiB, 0), int(r.largestCardBytes), r.note ?? '',
  ]);
  return [head, head.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function goalLines(goals: Goal[]): string {
  return goals.map((g) => `- ${g.ok ? 'ok  ' : 'MISS'} ${g.goal}: ${g.measured}${g.ok || !g.why ? '' : ` — ${g.why}`}`).join('\n');
}

export function machineLine(): string {
  const [l1, l5] = os.loadavg();
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${l1.toFixed(2)} / ${l5.toFixed(2)} (1 / 5 min) at the end`;
}

/** Writes (or replaces) the section `title` of BENCHMARKS.md with the command, the table and the goals. */
export function writeReport(title: string, command: string, body: string): string {
  const file = path.resolve(__dirname, '../BENCHMARKS.md');
  const section = `## ${title}\n\n\`${command}\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machineLine()}\n\n${body}\n`;
  let text = '';
  try {
    text = require('node:fs').readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nWritten by `npm run bench` (and `npm run bench:100k`); each run replaces its own section.\n\n';
  }
  const start = text.indexOf(`## ${title}\n`);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else text += `\n${section}`;
  writeFileSync(file, text.replace(/\n{3,}/g, '\n\n'));
  return file;
}
