// Settings from the environment, checked once at start-up with one clear line per bad value.
import path from 'node:path';
import { z } from 'zod';
import { readGraphSettings, type GraphSettings } from '../domain/graph/settings';
import { cosmosEnvSchema, envWithoutBlanks } from '../domain/store/cosmos';
import { LOG_LEVELS } from './log';
import { projectRoot } from './project-root';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DEFAULT_SEED_DIR = path.join(projectRoot(), 'data', 'demo');

const settingsSchema = z
  .object({
    // 0: any free port (the start-up line names it), as the compiled-bot test starts it.
    PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0, 'must be 0–65535').max(65535, 'must be 0–65535').default(3978),
    MicrosoftAppId: z.string().optional(),
    MicrosoftAppPassword: z.string().optional(),
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { error: 'must be MultiTenant, SingleTenant or UserAssignedMSI' }).default('MultiTenant'),
    MicrosoftAppTenantId: z.string().optional(),
    SEED_DIR: z.string().optional(),
    PLAYGROUND: z.enum(['on', 'off'], { error: 'must be on or off' }).optional(),
    PLAYGROUND_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(1, 'must be 1–65535').max(65535, 'must be 1–65535').default(56150),
    // Read in any case (LOG_LEVEL=DEBUG), as operators type it.
    LOG_LEVEL: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })).default('info'),
    // Download CSV links: signed with this key (≥ 32 characters) so every instance, and the next start, accepts them.
    RESULT_LINK_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)').optional(),
    // The bot's public host name, for links to it (App Service's WEBSITE_HOSTNAME when unset).
    BOT_DOMAIN: z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(:\d{1,5})?$/i, 'must be the host name of the bot, without https:// or a path').optional(),
    WEBSITE_HOSTNAME: z.string().optional(),
    BUY_MORE_URL: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).default('https://partner.microsoft.com/dashboard/commerce2/customers'),
  })
  .and(cosmosEnvSchema);

export type Settings = Omit<z.infer<typeof settingsSchema>, 'SEED_DIR'> & {
  /** The data set an empty store is seeded from: data/demo locally, none in production unless SEED_DIR says. */
  seedDir?: string;
  /** No MicrosoftAppId: a local run, with the Agents Playground unless PLAYGROUND=off. */
  localMode: boolean;
  playground: boolean;
  /** Graph mode (GRAPH_CLIENT_ID set): customers' licenses are read and changed in their tenants. */
  graph?: GraphSettings;
};

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`License Desk cannot start; fix these settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * The rules between the MicrosoftApp* settings. Checked on the raw values, beside the schema, so that
 * they are reported together with any other bad setting rather than only once the others are fixed.
 */
function appTypeProblems(env: Record<string, string>): string[] {
  const { MicrosoftAppType: type = 'MultiTenant', MicrosoftAppId: appId, MicrosoftAppPassword: password, MicrosoftAppTenantId: tenant } = env;
  const problems: string[] = [];
  if (type === 'UserAssignedMSI') {
    // The managed identity signs in with no secret; botbuilder needs its client id and tenant, and
    // would otherwise fail only at the first message — after the store has started.
    if (!appId) problems.push("MicrosoftAppId: is required when MicrosoftAppType is UserAssignedMSI: the managed identity's client id");
    else if (!GUID.test(appId)) problems.push("MicrosoftAppId: must be the managed identity's client id (a GUID) when MicrosoftAppType is UserAssignedMSI");
    if (!tenant) problems.push("MicrosoftAppTenantId: is required when MicrosoftAppType is UserAssignedMSI: the managed identity's tenant id");
    if (password) problems.push('MicrosoftAppPassword: must be empty when MicrosoftAppType is UserAssignedMSI: the managed identity needs no secret');
  } else if (type === 'SingleTenant' || type === 'MultiTenant') {
    if (type === 'SingleTenant' && appId && !tenant) problems.push('MicrosoftAppTenantId: is required when MicrosoftAppType is SingleTenant');
    if (appId && !password) problems.push('MicrosoftAppPassword: is required when MicrosoftAppId is set');
  }
  return problems;
}

/** A Graph setting without GRAPH_CLIENT_ID would be silently ignored: say so instead. */
function graphWithoutClientId(env: Record<string, string>): string[] {
  if (env.GRAPH_CLIENT_ID) return [];
  const given = ['GRAPH_CLIENT_SECRET', 'GRAPH_CLIENT_CERTIFICATE_PATH', 'GRAPH_FEDERATED_IDENTITY_CLIENT_ID', 'GRAPH_CUSTOMERS'].filter((k) => env[k]);
  return given.length ? [`GRAPH_CLIENT_ID: is required when ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} set (Graph mode is on only with it)`] : [];
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const raw = envWithoutBlanks(env);
  const parsed = settingsSchema.safeParse(raw);
  // Graph mode is on with GRAPH_CLIENT_ID; its other settings are checked (and reported) beside these.
  const graph = raw.GRAPH_CLIENT_ID ? readGraphSettings(raw) : undefined;
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`)),
    ...appTypeProblems(raw),
    ...(graph && !graph.ok ? graph.problems : []),
    ...graphWithoutClientId(raw),
  ];
  if (!parsed.success || problems.length) throw new SettingsError(problems);
  const localMode = !parsed.data.MicrosoftAppId;
  // A production store is never filled with the demo by accident: it is seeded only when told where from.
  const { SEED_DIR, ...rest } = parsed.data;
  const seedDir = SEED_DIR === 'off' ? undefined : (SEED_DIR ?? (localMode ? DEFAULT_SEED_DIR : undefined));
  return { ...rest, seedDir, localMode, playground: localMode && parsed.data.PLAYGROUND !== 'off', ...(graph?.ok ? { graph: graph.settings } : {}) };
}
