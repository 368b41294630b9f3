// The Microsoft 365 admin center's Active users > "Export users" CSV, read into Graph's user shape.
// Columns are found by name, not position: the export's header has changed over time (28 columns now,
// 32 in older exports, e.g. "Country/Region" instead of "CountryOrRegion"); unknown columns are ignored.
// What the export cannot carry: switched-off service plans (disabledPlans) and whether a license comes
// from a group. Without an "Object Id" the user's id is derived from tenant and UPN (RFC 4122 v5).
import { createHash } from 'node:crypto';
import { directoryUserSchema, type AssignedLicense, type DirectoryUser, type SubscribedSku } from './model';
import { CsvSyntaxError, parseCsv } from './csv';

export const USERS_EXPORT_FILE = 'users-export.csv';

/** A problem in the export: the line it is on (1 = the header), the column if one, and what is wrong. */
export interface ExportProblem {
  line: number;
  column?: string;
  message: string;
}

export interface ExportContext {
  /** The customer's tenant id: part of the derived user ids. */
  tenantId: string;
  /** The tenant's products; Licenses name them by skuPartNumber. */
  skus: SubscribedSku[];
  /** The tenant's initial domain (contoso.onmicrosoft.com): Licenses say "contoso:ENTERPRISEPACK". */
  initialDomain?: string;
}

type Field =
  | 'userPrincipalName' | 'displayName' | 'licenses' | 'usageLocation' | 'blockCredential'
  | 'objectId' | 'givenName' | 'surname' | 'jobTitle' | 'department' | 'country' | 'proxyAddresses';

/** Each field: the header as the export writes it, the other names it has had, whether it must be there. */
const COLUMNS: Record<Field, { header: string; aliases: string[]; required?: boolean }> = {
  userPrincipalName: { header: 'User principal name', aliases: [], required: true },
  displayName: { header: 'Display name', aliases: [], required: true },
  licenses: { header: 'Licenses', aliases: [], required: true },
  usageLocation: { header: 'Usage location', aliases: [], required: true },
  blockCredential: { header: 'Block credential', aliases: [], required: true },
  objectId: { header: 'Object Id', aliases: [] },
  givenName: { header: 'First name', aliases: [] },
  surname: { header: 'Last name', aliases: [] },
  jobTitle: { header: 'Title', aliases: ['Job title'] },
  department: { header: 'Department', aliases: [] },
  country: { header: 'CountryOrRegion', aliases: ['Country/Region', 'Country'] },
  proxyAddresses: { header: 'Proxy addresses', aliases: [] },
};

/** Header names compare without case, spaces or punctuation: "Country/Region" = "countryregion". */
const headerKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
const FIELD_BY_KEY = new Map<string, Field>(
  (Object.keys(COLUMNS) as Field[]).flatMap((f) => [COLUMNS[f].header, ...COLUMNS[f].aliases].map((n) => [headerKey(n), f] as const)),
);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Our namespace for ids derived from a UPN (a fixed random UUID, RFC 4122 section 4.3). */
const DERIVED_ID_NAMESPACE = '330182a8-b1a1-41f8-9dd3-8072d1a79456';
const MAX_PROBLEMS = 50;

/** RFC 4122 version 5 (SHA-1, name-based) UUID. */
export function uuidV5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id a user without an "Object Id" gets: the same for the same tenant and UPN, in every import. */
export function derivedUserId(tenantId: string, userPrincipalName: string): string {
  return uuidV5(`${tenantId.toLowerCase()}/${userPrincipalName.toLowerCase()}`, DERIVED_ID_NAMESPACE);
}

/** The primary SMTP address ("SMTP:" in upper case) among "SMTP:a@x+smtp:b@y+X500:…". */
function primaryAddress(proxyAddresses: string): string | null {
  const primary = proxyAddresses.split(/\+(?=[A-Za-z0-9]+:)/).find((a) => a.startsWith('SMTP:'));
  return primary ? primary.slice(5) : null;
}

/**
 * Reads the export. Returns the users, or the problems (all of them, up to 50): a file with any
 * problem yields no users, so nothing of it is ever half loaded.
 */
export function readUsersExport(text: string, context: ExportContext): { users: DirectoryUser[]; problems: ExportProblem[] } {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { users: [], problems: [{ line: err.line, message: err.detail }] };
    throw err;
  }
  const problems: ExportProblem[] = [];
  const [header, ...rows] = records;
  if (!header) return { users: [], problems: [{ line: 1, message: 'empty file: expected the header of Active users > Export users' }] };

  const index = new Map<Field, number>();
  header.fields.forEach((name, i) => {
    const field = FIELD_BY_KEY.get(headerKey(name));
    if (!field) return;
    if (index.has(field)) problems.push({ line: header.line, column: name, message: `column appears twice (also column ${index.get(field)! + 1})` });
    else index.set(field, i);
  });
  for (const field of Object.keys(COLUMNS) as Field[]) {
    if (COLUMNS[field].required && !index.has(field)) problems.push({ line: header.line, column: COLUMNS[field].header, message: 'missing column' });
  }
  if (problems.length) return { users: [], problems };

  const skuByPart = new Map(context.skus.map((s) => [s.skuPartNumber.toLowerCase(), s]));
  const tenantPrefix = context.initialDomain?.toLowerCase().replace(/\.onmicrosoft\.com$/, '');
  const lineOfUpn = new Map<string, number>();
  const lineOfId = new Map<string, number>();
  const users: DirectoryUser[] = [];

  for (const row of rows) {
    if (problems.length >= MAX_PROBLEMS) {
      problems.push({ line: row.line, message: `stopped after ${MAX_PROBLEMS} problems; the rest of the file was not checked` });
      break;
    }
    if (row.fields.length !== header.fields.length) {
      problems.push({ line: row.line, message: `has ${row.fields.length} fields, the header has ${header.fields.length} (a comma in a field that is not quoted?)` });
      continue;
    }
    const value = (f: Field) => (index.has(f) ? row.fields[index.get(f)!].trim() : '');
    const orNull = (f: Field) => value(f) || null;
    const problem = (f: Field, message: string) => problems.push({ line: row.line, column: header.fields[index.get(f)!], message });

    const upn = value('userPrincipalName');
    if (!/^[^@\s]+@[^@\s]+$/.test(upn)) problem('userPrincipalName', upn ? `"${upn}" is not a user principal name (name@domain)` : 'empty');
    else if (lineOfUpn.has(upn.toLowerCase())) problem('userPrincipalName', `duplicate user ${upn} (also on line ${lineOfUpn.get(upn.toLowerCase())})`);
    else lineOfUpn.set(upn.toLowerCase(), row.line);

    const displayName = value('displayName');
    if (!displayName) problem('displayName', 'empty');

    let id = value('objectId').toLowerCase();
    if (id && !GUID.test(id)) problem('objectId', `"${value('objectId')}" is not a GUID`);
    else if (id && lineOfId.has(id)) problem('objectId', `duplicate object id ${id} (also on line ${lineOfId.get(id)})`);
    id ||= derivedUserId(context.tenantId, upn);
    lineOfId.set(id, row.line);

    const block = value('blockCredential').toLowerCase();
    if (block !== 'true' && block !== 'false') problem('blockCredential', `"${value('blockCredential')}" is not True or False`);

    const usageLocation = value('usageLocation');
    if (usageLocation && !/^[A-Za-z]{2}$/.test(usageLocation)) problem('usageLocation', `"${usageLocation}" is not a two-letter country code (ISO 3166-1 alpha-2)`);

    const assignedLicenses: AssignedLicense[] = [];
    const licenses = value('licenses');
    if (licenses && licenses.toLowerCase() !== 'unlicensed') {
      for (const entry of licenses.split('+').map((e) => e.trim())) {
        const colon = entry.lastIndexOf(':');
        const prefix = colon >= 0 ? entry.slice(0, colon) : undefined;
        const part = entry.slice(colon + 1);
        const sku = skuByPart.get(part.toLowerCase());
        if (!part) problem('licenses', `"${licenses}" has an empty license (expected tenant:SKUPARTNUMBER+… or Unlicensed)`);
        else if (tenantPrefix && prefix !== undefined && prefix.toLowerCase() !== tenantPrefix) problem('licenses', `${entry} is a license of tenant "${prefix}", but this customer's tenant is ${context.initialDomain}`);
        else if (!sku) problem('licenses', `unknown product "${part}": no skuPartNumber in subscribedSkus.json is ${part}`);
        else if (assignedLicenses.some((l) => l.skuId === sku.skuId)) problem('licenses', `${sku.skuPartNumber} is listed twice`);
        else assignedLicenses.push({ skuId: sku.skuId, disabledPlans: [] });
      }
    }

    const user = directoryUserSchema.safeParse({
      id,
      displayName,
      givenName: orNull('givenName'),
      surname: orNull('surname'),
      userPrincipalName: upn,
      mail: primaryAddress(value('proxyAddresses')),
      jobTitle: orNull('jobTitle'),
      department: orNull('department'),
      usageLocation: usageLocation ? usageLocation.toUpperCase() : null,
      country: orNull('country'),
      accountEnabled: block === 'false',
      assignedLicenses,
    });
    if (user.success) users.push(user.data);
    else if (problems.length === 0 || problems[problems.length - 1].line !== row.line) {
      for (const issue of user.error.issues) problems.push({ line: row.line, column: issue.path.join('.'), message: issue.message });
    }
  }
  return problems.length ? { users: [], problems } : { users, problems };
}
