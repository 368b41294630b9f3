// The benchmark's bot process, compiled as production compiles the bot (`npm run build`: tsc with
// tsconfig.build.json's options) and run with node and production's node flags, not under tsx: tsx's
// compiler and its transformed copy of every source would count against the bot's memory (about
// 47 MiB), which production does not carry. BENCH_BOT_RUNNER=tsx runs it under tsx instead (to measure
// that); BENCH_BOT_FLAGS replaces the node flags ("" for none).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..');
let built: Promise<string> | undefined;

/** bench/bot-process.ts compiled into dist/bench-bot (once per benchmark run): the file to run. */
export function compiledBotProcess(): Promise<string> {
  if (process.env.BENCH_BOT_RUNNER === 'tsx') return Promise.resolve(path.join(__dirname, 'bot-process.ts'));
  built ??= (async () => {
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.bot.json')], { cwd: ROOT });
    return path.join(ROOT, 'dist/bench-bot/bench/bot-process.js');
  })();
  return built;
}

/** The node flags production starts the bot with: those of `npm run start:prod` (= App Service's command line). */
export function productionNodeFlags(): string[] {
  if (process.env.BENCH_BOT_FLAGS !== undefined) return process.env.BENCH_BOT_FLAGS.split(/\s+/).filter(Boolean);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [node, ...args] = pkg.scripts['start:prod'].split(/\s+/);
  if (node !== 'node') throw new Error(`start:prod does not start node: ${pkg.scripts['start:prod']}`);
  return args.filter((a) => a.startsWith('--'));
}
