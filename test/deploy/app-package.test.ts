// The Teams app package as Teams receives it: the zip `npm run package` writes, its manifest validated
// offline against Microsoft's JSON schema (bundled in @microsoft/app-manifest), its icons as Teams wants
// them, and every command it offers in the compose box one that the bot understands.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseCommand } from '../../bot/commands/parse';
import { decodePng, encodePng } from '../../deploy/png';
import { APP_PACKAGE_DIR, buildAppPackage, bundledSchemaPath, PackageError, schemaProblems } from '../../deploy/package';
import { readZip } from '../../deploy/zip';

const ENV = {
  TEAMS_APP_ID: '0f1c5e0a-8a3b-4d6e-9b1a-5c2f7e4d3a21',
  BOT_ID: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  BOT_DOMAIN: 'license-desk-contoso.azurewebsites.net',
  DEVELOPER_NAME: 'Contoso Partner Services',
  DEVELOPER_WEBSITE_URL: 'https://contoso.example',
  DEVELOPER_PRIVACY_URL: 'https://contoso.example/privacy',
  DEVELOPER_TERMS_URL: 'https://contoso.example/terms',
};

interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  version: string;
  icons: { color: string; outline: string };
  validDomains: string[];
  bots: { botId: string; scopes: string[]; commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[] }[];
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

describe('the Teams app package', () => {
  let entries: Map<string, Buffer>;
  let manifest: Manifest;

  beforeAll(async () => {
    const { zip } = await buildAppPackage(ENV);
    entries = new Map(readZip(zip).map((e) => [e.name, e.data]));
    manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'));
  });

  it('is a zip with manifest.json, both icons and the German strings at its root, and nothing else', () => {
    expect([...entries.keys()].sort()).toEqual(['color.png', 'de.json', 'manifest.json', 'outline.png']);
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('has every placeholder filled from the environment', () => {
    expect(entries.get('manifest.json')!.toString()).not.toMatch(/\$\{\{/);
    expect(manifest.id).toBe(ENV.TEAMS_APP_ID);
    expect(manifest.bots[0].botId).toBe(ENV.BOT_ID);
    expect(manifest.validDomains).toEqual([ENV.BOT_DOMAIN]);
    expect(manifest.version).toBe(JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).version);
  });

  it("validates against Microsoft's v1.29 schema, offline, with $schema and manifestVersion agreeing", async () => {
    expect(manifest.manifestVersion).toBe('1.29');
    expect(manifest.$schema).toBe('https://developer.microsoft.com/json-schemas/teams/v1.29/MicrosoftTeams.schema.json');
    const schema = JSON.parse(readFileSync(bundledSchemaPath(manifest.$schema), 'utf8'));
    expect(schema.properties.manifestVersion.const).toBe(manifest.manifestVersion);
    expect(await schemaProblems(manifest)).toEqual([]);
  });

  it('fails the schema when the manifest is wrong', async () => {
    const broken = structuredClone(manifest);
    broken.bots[0].scopes = ['personal', 'groupchat']; // the schema spells it groupChat
    delete (broken as unknown as Record<string, unknown>).accentColor;
    const problems = await schemaProblems(broken);
    expect(problems.join('\n')).toMatch(/scopes/);
    expect(problems.join('\n')).toMatch(/accentColor/);
  });

  it('offers the bot in personal chats, teams and group chats, with a command list for each', () => {
    const [bot] = manifest.bots;
    expect(bot.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.commandLists.flatMap((l) => l.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const list of bot.commandLists) expect(list.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['help', 'customers', 'users', 'licenses']));
  });

  it('lists only commands the bot understands, as Teams sends them (with the @mention in a team)', () => {
    for (const list of manifest.bots[0].commandLists) {
      for (const { title, description } of list.commands) {
        expect(description.length).toBeLessThanOrEqual(128);
        expect(title.length).toBeLessThanOrEqual(32);
        const typed = list.scopes.includes('personal') ? title : `<at>License Desk</at> ${title}`;
        const { command } = parseCommand(typed);
        expect({ title, name: command.name }).toEqual({ title, name: title });
      }
    }
  });

  it('offers the same commands in German, each one the bot parses as German', async () => {
    const german = JSON.parse(entries.get('de.json')!.toString('utf8'));
    expect(await schemaProblems(german)).toEqual([]);
    const lists = manifest.bots[0].commandLists;
    const titles = Object.keys(german).filter((k) => k.endsWith('.title'));
    expect(titles).toHaveLength(lists.flatMap((l) => l.commands).length);
    for (const key of titles) {
      const [, list, command] = /^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.title$/.exec(key)!.map(Number);
      const english = lists[list].commands[command];
      expect(english).toBeDefined();
      expect(german[key.replace(/title$/, 'description')]).toEqual(expect.any(String));
      const parsed = parseCommand(german[key]);
      expect({ key, name: parsed.command.name, lang: parsed.lang }).toEqual({ key, name: english.title, lang: 'de' });
    }
  });

  it('fails the localization schema when a German string is misplaced', async () => {
    const german = JSON.parse(entries.get('de.json')!.toString('utf8'));
    german['bots[0].commandLists[3].commands[0].title'] = 'hilfe'; // there are at most three lists
    expect((await schemaProblems(german)).join('\n')).toMatch(/additional properties/i);
  });

  it('has a 192×192 colour icon and a 32×32 outline icon that is white on transparent', () => {
    const color = decodePng(entries.get('color.png')!);
    const outline = decodePng(entries.get('outline.png')!);
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const alphas = Array.from({ length: 32 * 32 }, (_, i) => outline.pixels[i * 4 + 3]);
    expect(alphas[0]).toBe(0); // the corners are background
    expect(alphas.filter((a) => a === 0).length).toBeGreaterThan(32 * 32 * 0.4);
    expect(alphas.filter((a) => a === 255).length).toBeGreaterThan(32 * 4);
    for (let i = 0; i < 32 * 32; i++) {
      if (alphas[i] > 0) expect([...outline.pixels.subarray(i * 4, i * 4 + 3)]).toEqual([255, 255, 255]);
    }
  });

  it('refuses to build with a missing or malformed setting, naming each', async () => {
    const err = (await failure(buildAppPackage({ ...ENV, BOT_ID: '', BOT_DOMAIN: 'https://license-desk.azurewebsites.net/' }))) as PackageError;
    expect(err).toBeInstanceOf(PackageError);
    expect(err.problems).toEqual(['BOT_ID: is not set', 'BOT_DOMAIN: must be the host name of the bot, without https:// or a path (e.g. license-desk.azurewebsites.net)']);
  });

  it('refuses icons of the wrong size or an outline with a background', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
    cpSync(APP_PACKAGE_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, 'color.png'), encodePng({ width: 96, height: 96, pixels: new Uint8Array(96 * 96 * 4).fill(200) }));
    writeFileSync(path.join(dir, 'outline.png'), encodePng({ width: 32, height: 32, pixels: new Uint8Array(32 * 32 * 4).fill(255) }));
    const err = (await failure(buildAppPackage(ENV, dir))) as PackageError;
    expect(err.problems).toEqual([
      'color.png: is 96×96, must be 192×192',
      'outline.png: has no transparent pixels; the outline icon is white on a transparent background',
    ]);
  });

  it('is written by `npm run package`, reading an env file, with the environment winning', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
    const envFile = path.join(dir, 'teams.env');
    writeFileSync(envFile, `# from the deployment\n${Object.entries(ENV).map(([k, v]) => `${k}="${v}"`).join('\n')}\n`);
    const out = path.join(dir, 'app.zip');
    const cli = path.join(__dirname, '../../deploy/package.ts');
    const tsx = path.join(__dirname, '../../node_modules/.bin/tsx');
    const env = { ...process.env, BOT_DOMAIN: 'license-desk-fabrikam.azurewebsites.net' };
    const { stdout } = await promisify(execFile)(tsx, [cli, '--env', envFile, '--out', out], { env });
    expect(stdout).toMatch(/^Wrote .*app\.zip \(manifest 1\.29/);
    expect(existsSync(out)).toBe(true);
    const written = JSON.parse(readZip(readFileSync(out)).find((e) => e.name === 'manifest.json')!.data.toString());
    expect(written.validDomains).toEqual(['license-desk-fabrikam.azurewebsites.net']);
    const missing = await promisify(execFile)(tsx, [cli, '--out', out], { env: { PATH: process.env.PATH } }).catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 2 });
    expect((missing as { stderr: string }).stderr).toMatch(/TEAMS_APP_ID: is not set/);
  });
});
