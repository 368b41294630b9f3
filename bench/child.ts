// A benchmark child process (the emulator's, the bot's, the delay proxy's): a .ts file under tsx, a
// compiled .js with node, and asked for figures over IPC: each question carries a number, its answer the
// same number. startChild is the parent's side, serveParent the child's.
import { fork, type ChildProcess } from 'node:child_process';

export interface Child<Ready> {
  ready: Ready;
  pid: number;
  ask<T>(question: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startChild<Ready>(file: string, env: Record<string, string> = {}, execArgv: string[] = []): Promise<Child<Ready>> {
  const child: ChildProcess = fork(file, [], {
    execArgv: [...(file.endsWith('.ts') ? ['--import', 'tsx'] : []), ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited (${code}) before it was ready`)));
    child.once('message', (m) => resolve(m as Ready));
  });
  child.removeAllListeners('exit');
  let asked = 0;
  const waiting = new Map<number, (value: unknown) => void>();
  child.on('message', (m: { n?: number; value?: unknown }) => {
    if (m?.n === undefined) return;
    waiting.get(m.n)?.(m.value);
    waiting.delete(m.n);
  });
  return {
    ready,
    pid: child.pid!,
    ask: <T>(question: string) =>
      new Promise<T>((resolve) => {
        const n = ++asked;
        waiting.set(n, resolve as (value: unknown) => void);
        child.send({ ask: question, n });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/**
 * The child's side: tells the parent `ready`, answers each question it asks (`cpu` always; the others
 * from `answers`), and when the parent disconnects runs `stop` and exits.
 */
export function serveParent(ready: unknown, answers: Record<string, () => unknown>, stop: () => Promise<unknown>): void {
  process.on('message', async (m: { ask?: string; n?: number }) => {
    const answer = m?.ask === 'cpu' ? () => process.cpuUsage() : m?.ask && Object.hasOwn(answers, m.ask) ? answers[m.ask] : undefined;
    if (answer) process.send!({ n: m.n, value: await answer() });
  });
  process.on('disconnect', () => void stop().then(() => process.exit(0)));
  process.send!(ready);
}
