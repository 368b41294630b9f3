// Settings for talking to Microsoft Graph, checked with zod at start-up. Exactly one credential kind:
// a client secret, a certificate, or workload identity federation (a managed identity's token as the
// client assertion, no secret at all).
import { existsSync } from 'node:fs';
import { z } from 'zod';

const MICROSOFT_AUTHORITY_HOSTS = [
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
];

const httpsUrl = z
  .string()
  .url()
  .refine((u) => u.startsWith('https://'), 'must be an https:// URL')
  .transform((u) => u.replace(/\/+$/, ''));
const positiveInt = z.coerce.number().int().positive();

export const graphEnvSchema = z
  .object({
    GRAPH_CLIENT_ID: z.string().uuid('must be the app registration\'s client id (a GUID)'),
    GRAPH_CLIENT_SECRET: z.string().min(1).optional(),
    GRAPH_CLIENT_CERTIFICATE_PATH: z.string().min(1).optional(),
    GRAPH_FEDERATED_IDENTITY_CLIENT_ID: z.string().uuid('must be the managed identity\'s client id (a GUID)').optional(),
    // The root alone: calls go to `${GRAPH_ENDPOINT}/v1.0/…`, tokens are for `${GRAPH_ENDPOINT}/.default`.
    GRAPH_ENDPOINT: httpsUrl.refine((u) => new URL(u).pathname === '/', 'must be the Graph root alone, e.g. https://graph.microsoft.us (no path)').default('https://graph.microsoft.com'),
    AZURE_AUTHORITY_HOST: httpsUrl.default('https://login.microsoftonline.com'),
    GRAPH_CUSTOMERS: z.enum(['partner', 'gdap']).default('partner'),
    // Identity and access write limits: https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits
    GRAPH_WRITES_PER_APP_TENANT: positiveInt.default(3000),
    GRAPH_WRITES_PER_APP_TENANT_WINDOW_S: positiveInt.default(150),
    GRAPH_WRITES_PER_TENANT: positiveInt.default(18000),
    GRAPH_WRITES_PER_TENANT_WINDOW_S: positiveInt.default(300),
    GRAPH_WRITES_PER_APP: positiveInt.default(70000),
    GRAPH_WRITES_PER_APP_WINDOW_S: positiveInt.default(300),
  });

const CREDENTIAL_VARIABLES = ['GRAPH_CLIENT_SECRET', 'GRAPH_CLIENT_CERTIFICATE_PATH', 'GRAPH_FEDERATED_IDENTITY_CLIENT_ID'] as const;

/** Exactly one credential kind; checked apart from the schema so it is reported beside other problems. */
function credentialProblem(env: Record<string, string | undefined>): string | undefined {
  const given = CREDENTIAL_VARIABLES.filter((k) => env[k] !== undefined);
  if (given.length === 1) return undefined;
  return `${CREDENTIAL_VARIABLES.join(' / ')}: set exactly one of ${CREDENTIAL_VARIABLES.join(', ')} (${given.length === 0 ? 'none is set' : `${given.join(' and ')} are set`})`;
}

export type GraphCredentialSetting =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; certificatePath: string }
  | { kind: 'federated'; managedIdentityClientId: string };

export interface WriteBudget {
  /** Writes allowed within windowMs. */
  limit: number;
  windowMs: number;
}

export interface GraphSettings {
  clientId: string;
  credential: GraphCredentialSetting;
  graphEndpoint: string;
  authorityHost: string;
  /** Off for Microsoft's own clouds; on (no instance discovery) for any other authority host. */
  disableInstanceDiscovery: boolean;
  customers: 'partner' | 'gdap';
  budget: { perAppAndTenant: WriteBudget; perTenant: WriteBudget; perApp: WriteBudget };
}

export type GraphSettingsResult = { ok: true; settings: GraphSettings } | { ok: false; problems: string[] };

/** Reads the Graph settings from the environment; every problem is one line naming its variable. */
export function readGraphSettings(env: Record<string, string | undefined>): GraphSettingsResult {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = graphEnvSchema.safeParse(blankless);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || 'Graph settings'}: ${i.message}`);
  const credentialIssue = credentialProblem(blankless);
  if (credentialIssue) problems.push(credentialIssue);
  const certificate = blankless.GRAPH_CLIENT_CERTIFICATE_PATH;
  if (certificate && !existsSync(certificate)) problems.push(`GRAPH_CLIENT_CERTIFICATE_PATH: no file at ${certificate}`);
  if (!parsed.success || problems.length) return { ok: false, problems };
  const e = parsed.data;
  const credential: GraphCredentialSetting = e.GRAPH_CLIENT_SECRET
    ? { kind: 'secret', clientSecret: e.GRAPH_CLIENT_SECRET }
    : e.GRAPH_CLIENT_CERTIFICATE_PATH
      ? { kind: 'certificate', certificatePath: e.GRAPH_CLIENT_CERTIFICATE_PATH }
      : { kind: 'federated', managedIdentityClientId: e.GRAPH_FEDERATED_IDENTITY_CLIENT_ID! };
  const host = new URL(e.AZURE_AUTHORITY_HOST).hostname.toLowerCase();
  return {
    ok: true,
    settings: {
      clientId: e.GRAPH_CLIENT_ID,
      credential,
      graphEndpoint: e.GRAPH_ENDPOINT,
      authorityHost: e.AZURE_AUTHORITY_HOST,
      disableInstanceDiscovery: !MICROSOFT_AUTHORITY_HOSTS.includes(host),
      customers: e.GRAPH_CUSTOMERS,
      budget: {
        perAppAndTenant: { limit: e.GRAPH_WRITES_PER_APP_TENANT, windowMs: e.GRAPH_WRITES_PER_APP_TENANT_WINDOW_S * 1000 },
        perTenant: { limit: e.GRAPH_WRITES_PER_TENANT, windowMs: e.GRAPH_WRITES_PER_TENANT_WINDOW_S * 1000 },
        perApp: { limit: e.GRAPH_WRITES_PER_APP, windowMs: e.GRAPH_WRITES_PER_APP_WINDOW_S * 1000 },
      },
    },
  };
}
