// Production runs the compiled bot (`npm run build`, then App Service's appCommandLine), not tsx: this
// builds it as `npm run build` does (into a folder of its own), starts it with the template's command
// line, and checks that it comes up and answers Teams, with the card templates and the demo data found.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { FakeConnector, personalChat, teamsActivity, textOf } from '../../harness/teams';

const ROOT = path.join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const template = JSON.parse(readFileSync(path.join(ROOT, 'deploy/azure/azuredeploy.json'), 'utf8'));
const site = template.resources.find((r: { type: string }) => r.type === 'Microsoft.Web/sites');
const appCommandLine: string = site.properties.siteConfig.appCommandLine;

// Inside the repository (under dist/, which jest and git ignore), so that node_modules resolve as in dist.
const OUT = path.join(ROOT, 'dist', `.test-${process.pid}`);

describe('the compiled bot, as App Service starts it', () => {
  let bot: ChildProcess | undefined;
  let port = 0;
  let connector: FakeConnector;
  let output = '';

  beforeAll(async () => {
    // `npm run build`'s compiler step, into OUT instead of dist.
    expect(pkg.scripts.build).toContain('tsc -p tsconfig.build.json');
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', OUT], { cwd: ROOT });
    connector = await new FakeConnector().start();
    // The template's command line, with dist/ where this build went.
    const [command, ...args] = appCommandLine.split(/\s+/);
    expect(command).toBe('node');
    const entry = args.findIndex((a) => a.startsWith('dist/'));
    args[entry] = path.join(OUT, path.relative('dist', args[entry]));
    bot = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: '0', PLAYGROUND: 'off', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    port = await new Promise<number>((resolve, reject) => {
      const seen = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m) resolve(Number(m[1]));
      };
      bot!.stdout!.on('data', seen);
      bot!.stderr!.on('data', seen);
      bot!.once('exit', (code) => reject(new Error(`the compiled bot exited (${code}) before it listened:\n${output}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (bot && bot.exitCode === null) {
      const exited = new Promise((r) => bot!.once('exit', r));
      bot.kill('SIGTERM');
      await exited;
    }
    await connector?.stop();
    rmSync(OUT, { recursive: true, force: true });
  });

  it('is what npm run start:prod and the App Service command line run', () => {
    expect(pkg.scripts['start:prod']).toBe(appCommandLine);
    expect(existsSync(path.join(OUT, 'bot/index.js'))).toBe(true);
    // Only what the bot needs is compiled: no tests, no benchmark, no harness.
    expect(existsSync(path.join(OUT, 'test'))).toBe(false);
    expect(existsSync(path.join(OUT, 'bench'))).toBe(false);
  });

  it('is healthy once its store is open, and refuses a malformed activity with a 400', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const bad = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":1}' });
    expect(bad.status).toBe(400);
  });

  it('answers "help" with its help card, from the compiled card templates', async () => {
    const activity = teamsActivity(connector.url, personalChat(), { type: 'message', text: 'help' });
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    expect(res.status).toBeLessThan(300);
    expect(connector.messages).toHaveLength(1);
    expect(textOf(connector.last().card)).toMatch(/License Desk/);
  });
});
