// `npm run package [-- --env FILE] [--out FILE]`: the Teams app package. Fills the `${{NAME}}` placeholders
// of deploy/appPackage/manifest.json from the environment (as the Microsoft 365 Agents Toolkit's templates
// do), validates the result offline against Microsoft's bundled JSON schema, checks the icons, and writes
// a zip with manifest.json, color.png and outline.png at its root — what Teams' "Upload a custom app" takes.
// https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-package
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { decodePng, type Image } from './png';
import { writeZip } from './zip';

export const APP_PACKAGE_DIR = path.join(__dirname, 'appPackage');
export const DEFAULT_OUT = path.join(__dirname, 'build', 'license-desk-teams-app.zip');

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });

/** What each placeholder must hold; a placeholder not listed here only has to be set. */
const placeholderRules: Record<string, z.ZodType<string>> = {
  TEAMS_APP_ID: z.string().regex(GUID, 'must be a GUID: the Teams app id (any new GUID, kept for every later update)'),
  TEAMS_APP_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version like 1.0.0 (raise it for every update)'),
  BOT_ID: z.string().regex(GUID, "must be a GUID: the bot's MicrosoftAppId (the managed identity's client id)"),
  BOT_DOMAIN: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i, 'must be the host name of the bot, without https:// or a path (e.g. license-desk.azurewebsites.net)'),
  DEVELOPER_NAME: z.string().max(32, 'must be at most 32 characters'),
  DEVELOPER_WEBSITE_URL: httpsUrl,
  DEVELOPER_PRIVACY_URL: httpsUrl,
  DEVELOPER_TERMS_URL: httpsUrl,
};

/** Defaults for placeholders an operator rarely sets. */
function defaults(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return { TEAMS_APP_VERSION: pkg.version };
}

export class PackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`Cannot build the Teams app package; fix these:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/** Replaces every `${{NAME}}` with its checked value; lists every missing or bad one. */
export function resolvePlaceholders(template: string, env: Record<string, string | undefined>): string {
  const values: Record<string, string | undefined> = { ...defaults(), ...Object.fromEntries(Object.entries(env).filter(([, v]) => v?.trim())) };
  const names = [...new Set([...template.matchAll(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]))];
  const problems: string[] = [];
  for (const name of names) {
    const value = values[name]?.trim();
    if (!value) problems.push(`${name}: is not set`);
    else {
      const checked = placeholderRules[name]?.safeParse(value);
      if (checked && !checked.success) problems.push(`${name}: ${checked.error.issues[0].message}`);
    }
  }
  if (problems.length) throw new PackageError(problems);
  // Values go inside JSON strings: escape them as JSON does.
  return template.replace(/\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => JSON.stringify(values[name]!.trim()).slice(1, -1));
}

/** Teams' icon rules: color 192×192; outline 32×32, white where it is not fully transparent. */
export function iconProblems(color: Image, outline: Image): string[] {
  const problems: string[] = [];
  if (color.width !== 192 || color.height !== 192) problems.push(`color.png: is ${color.width}×${color.height}, must be 192×192`);
  if (outline.width !== 32 || outline.height !== 32) problems.push(`outline.png: is ${outline.width}×${outline.height}, must be 32×32`);
  let transparent = 0;
  let coloured = 0;
  for (let i = 0; i < outline.pixels.length; i += 4) {
    const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
    if (a === 0) transparent++;
    else if (r !== 255 || g !== 255 || b !== 255) coloured++;
  }
  if (coloured) problems.push(`outline.png: ${coloured} visible pixels are not white; the outline icon is white on transparent`);
  if (!transparent) problems.push('outline.png: has no transparent pixels; the outline icon is white on a transparent background');
  return problems;
}

/** The Microsoft JSON schema the manifest names, from @microsoft/app-manifest's bundled copies (no network). */
export function bundledSchemaPath(schemaUrl: string): string {
  const match = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?(json-schemas\/teams\/v[\d.]+\/MicrosoftTeams(?:\.Localization)?\.schema\.json)$/i.exec(schemaUrl);
  if (!match) throw new PackageError([`$schema: ${schemaUrl} is not a Teams manifest schema URL`]);
  return path.join(path.dirname(require.resolve('@microsoft/app-manifest/package.json')), 'build', match[1]);
}

/**
 * Microsoft's v1.29 localization schema has patternProperties such as `activityTypes\[\b(…)\b]` whose
 * lone `]` is a literal in a plain RegExp but a syntax error in the unicode mode ajv compiles with. The
 * same pattern with that `]` escaped means exactly the same; every other pattern is left as it is.
 */
function withUnicodeSafePatterns<T>(schema: T): T {
  const fix = (pattern: string) => {
    try {
      new RegExp(pattern, 'u');
      return pattern;
    } catch {
      let out = '';
      let inClass = false;
      for (let i = 0; i < pattern.length; i++) {
        const ch = pattern[i];
        if (ch === '\\') {
          out += ch + (pattern[++i] ?? '');
          continue;
        }
        if (ch === '[' && !inClass) inClass = true;
        else if (ch === ']' && inClass) inClass = false;
        else if (ch === ']') {
          out += '\\]';
          continue;
        }
        out += ch;
      }
      return out;
    }
  };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => (k === 'patternProperties' && v && typeof v === 'object' ? [k, Object.fromEntries(Object.entries(v).map(([p, s]) => [fix(p), walk(s)]))] : [k, k === 'pattern' && typeof v === 'string' ? fix(v) : walk(v)])),
    );
  };
  return walk(schema) as T;
}

export async function schemaProblems(manifest: { $schema?: string }): Promise<string[]> {
  const file = bundledSchemaPath(manifest.$schema ?? '');
  if (!existsSync(file)) return [`$schema: @microsoft/app-manifest has no copy of ${manifest.$schema}`];
  const schema = withUnicodeSafePatterns(JSON.parse(readFileSync(file, 'utf8')));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AppManifestUtils } = require('@microsoft/app-manifest') as typeof import('@microsoft/app-manifest');
  return AppManifestUtils.validateAgainstSchema(manifest as never, schema);
}

export interface AppPackage {
  manifest: Record<string, unknown> & { $schema: string; manifestVersion: string };
  zip: Buffer;
}

export async function buildAppPackage(env: Record<string, string | undefined>, dir = APP_PACKAGE_DIR): Promise<AppPackage> {
  const text = resolvePlaceholders(readFileSync(path.join(dir, 'manifest.json'), 'utf8'), env);
  const manifest = JSON.parse(text) as AppPackage['manifest'];
  // The translations (localizationInfo), each validated against the localization schema.
  const languages = ((manifest.localizationInfo as { additionalLanguages?: { file: string }[] } | undefined)?.additionalLanguages ?? []).map((l) => l.file);
  const translations = languages.map((file) => ({ file, text: resolvePlaceholders(readFileSync(path.join(dir, file), 'utf8'), env) }));
  const color = readFileSync(path.join(dir, 'color.png'));
  const outline = readFileSync(path.join(dir, 'outline.png'));
  const problems = [...(await schemaProblems(manifest)).map((p) => `manifest.json: ${p}`)];
  for (const { file, text: json } of translations) problems.push(...(await schemaProblems(JSON.parse(json))).map((p) => `${file}: ${p}`));
  problems.push(...iconProblems(decodePng(color), decodePng(outline)));
  if (problems.length) throw new PackageError(problems);
  const zip = writeZip([
    { name: 'manifest.json', data: Buffer.from(text) },
    { name: 'color.png', data: color },
    { name: 'outline.png', data: outline },
    ...translations.map(({ file, text: json }) => ({ name: file, data: Buffer.from(json) })),
  ]);
  return { manifest, zip };
}

/** KEY=VALUE lines; # comments and blank lines skipped; optional quotes removed. */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trim().startsWith('#')) out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

async function main(args: string[]): Promise<number> {
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const envFile = option('--env');
  const out = path.resolve(option('--out') ?? DEFAULT_OUT);
  try {
    // The environment wins over the file, as the toolkit's env files work.
    const env = { ...(envFile ? readEnvFile(envFile) : {}), ...process.env };
    const { zip, manifest } = await buildAppPackage(env);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, zip);
    console.log(`Wrote ${out} (manifest ${manifest.manifestVersion}, app ${String(manifest.id)}, bot ${String((manifest.bots as { botId: string }[])[0].botId)}).`);
    console.log('Upload it in Teams: Apps > Manage your apps > Upload an app, or in the Teams admin center.');
    return 0;
  } catch (err) {
    if (err instanceof PackageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
