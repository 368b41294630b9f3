// Local mode: the Microsoft 365 Agents Playground (a Teams client in the browser) against this bot.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from './project-root';

export interface Playground {
  url: string;
  stop(): Promise<void>;
}

const ROOT = projectRoot();

export function startPlayground(botPort: number, port: number, log: (line: string) => void = () => {}): Promise<Playground> {
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, '-e', `http://127.0.0.1:${botPort}/api/messages`, '-c', 'msteams', '--disable-telemetry', '-p', String(port)],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: path.join(ROOT, '.m365agentsplayground.yml'),
        // Its log file would otherwise land in ./devTools of the project.
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(os.tmpdir(), `m365agentsplayground-${process.pid}.log`),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT'); // its clean shutdown; it has no SIGTERM handler
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('The Agents Playground did not start within 60 s.')), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const m = buffer.match(/Listening on (\d+)/);
      if (m) {
        clearTimeout(timer);
        // A port in use makes it pick another one: the line tells which.
        resolve({ url: `http://localhost:${m[1]}`, stop });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => log(chunk.toString().trim()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The Agents Playground exited (code ${code}); see its log in ${os.tmpdir()}.`));
    });
  });
}
