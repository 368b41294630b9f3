// The benchmark's bot process, compiled as production compiles the bot (`npm run build`: tsc with
// tsconfig.build.json's options) and run with node, not tsx: tsx's compiler and its transformed copy of
// every source would count against the bot's memory (about 47 MiB), which production does not carry.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.join(__dirname, '..');
let built: Promise<string> | undefined;

/** bench/bot-process.ts compiled into dist/bench-bot (once per benchmark run): the file to run. */
export function compiledBotProcess(): Promise<string> {
  built ??= (async () => {
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(__dirname, 'tsconfig.bot.json')], { cwd: ROOT });
    return path.join(ROOT, 'dist/bench-bot/bench/bot-process.js');
  })();
  return built;
}
