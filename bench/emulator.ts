// Starts the emulator child process (emulator-process.ts) and talks to it over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface EmulatorProcess {
  endpoint: string;
  pid: number;
  /** The child's resident memory now and at its peak, in bytes. */
  memory(): Promise<{ rss: number; maxRss: number }>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(path.join(__dirname, 'emulator-process.ts'), [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the emulator process exited (${code})`)));
    child.on('message', (m: { endpoint?: string }) => m.endpoint && resolve(m.endpoint));
  });
  child.removeAllListeners('exit');
  return {
    endpoint,
    pid: child.pid!,
    memory: () =>
      new Promise((resolve) => {
        const onMessage = (m: { memory?: { rss: number; maxRss: number } }) => {
          if (!m.memory) return;
          child.off('message', onMessage);
          resolve(m.memory);
        };
        child.on('message', onMessage);
        child.send({ ask: 'memory' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
