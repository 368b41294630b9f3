// Loading a directory of customers in Microsoft Graph's response shapes (organization.json,
// subscribedSkus.json, users.json per customer) plus partner.json and product-rules.json. Instead of
// users.json a customer may have the admin center's users-export.csv (see admin-center-csv.ts).
// Everything is read and checked before anything is written: a bad file loads nothing.
import type { SqlParameter } from '@azure/cosmos';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  directoryUserSchema, organizationSchema, partnerSchema, productRulesSchema, subscribedSkuSchema,
  type Customer, type DirectoryUser, type PartnerSettings, type ProductRules, type SubscribedSku,
} from './model';
import { USERS_EXPORT_FILE, readUsersExport } from './admin-center-csv';
import type { CosmosStore } from './store/cosmos';
import { mapLimit, queryAll } from './store/cosmos';
import { DirectoryRepository, summarize, toSkuDoc, toUserDoc } from './store/directory';
import { PartnerRepository } from './store/partner';
import { nextRev, recordOf } from './store/user-index';

export interface DatasetProblem {
  file: string;
  field: string;
  message: string;
}

export class DatasetError extends Error {
  constructor(readonly problems: DatasetProblem[]) {
    super(`The data set was not loaded; nothing was written:\n${problems.map((p) => `  ${p.file}: ${p.field || '(file)'}: ${p.message}`).join('\n')}`);
  }
}

export interface CustomerData {
  customer: Customer;
  skus: SubscribedSku[];
  users: DirectoryUser[];
}

export interface Dataset {
  partner: PartnerSettings;
  rules: ProductRules;
  customers: CustomerData[];
}

const graphList = <T extends z.ZodTypeAny>(item: T) => z.object({ value: z.array(item) });

async function readJson(file: string, problems: DatasetProblem[], root: string): Promise<unknown> {
  const rel = path.relative(root, file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    problems.push({ file: rel, field: '', message: 'missing or unreadable' });
    return undefined;
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    problems.push({ file: rel, field: '', message: `not valid JSON (${(err as Error).message})` });
    return undefined;
  }
}

function check<T extends z.ZodTypeAny>(schema: T, data: unknown, file: string, problems: DatasetProblem[]): z.infer<T> | undefined {
  if (data === undefined) return undefined;
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues.slice(0, 20)) {
    problems.push({ file, field: issue.path.join('.'), message: issue.message });
  }
  return undefined;
}

/** Reads and checks a whole data set; throws DatasetError listing every problem (file, field, what). */
export async function loadDataset(dir: string): Promise<Dataset> {
  const root = path.resolve(dir);
  const problems: DatasetProblem[] = [];
  try {
    if (!(await stat(root)).isDirectory()) throw new Error();
  } catch {
    throw new DatasetError([{ file: dir, field: '', message: 'not a directory' }]);
  }
  const partnerFile = await readJson(path.join(root, 'partner.json'), problems, root);
  const rulesFile = await readJson(path.join(root, 'product-rules.json'), problems, root);
  const partner = check(partnerSchema, partnerFile, 'partner.json', problems);
  const rules = check(productRulesSchema, rulesFile, 'product-rules.json', problems);
  const customers: CustomerData[] = [];
  for (const [i, c] of (partner?.customers ?? []).entries()) {
    const rel = c.fixtures ?? path.join('tenants', c.key);
    const folder = path.resolve(root, rel);
    if (!folder.startsWith(root + path.sep)) {
      problems.push({ file: 'partner.json', field: `customers.${i}.fixtures`, message: 'must be a folder inside the data set' });
      continue;
    }
    const file = (name: string) => path.join(rel, name);
    const org = check(graphList(organizationSchema), await readJson(path.join(folder, 'organization.json'), problems, root), file('organization.json'), problems);
    const skus = check(graphList(subscribedSkuSchema), await readJson(path.join(folder, 'subscribedSkus.json'), problems, root), file('subscribedSkus.json'), problems);
    const usersFile = await whichUsersFile(folder, rel, problems);
    let users: { value: DirectoryUser[] } | undefined;
    if (usersFile === 'users.json') {
      users = check(graphList(directoryUserSchema), await readJson(path.join(folder, 'users.json'), problems, root), file('users.json'), problems);
    } else if (usersFile === USERS_EXPORT_FILE && skus) {
      users = await readExport(path.join(folder, USERS_EXPORT_FILE), file(USERS_EXPORT_FILE), c.tenantId, skus.value, org?.value[0], problems);
    }
    if (!org || !skus || !users || !usersFile) continue;
    const before = problems.length;
    crossCheck(c, org.value[0], skus.value, users.value, rel, usersFile, problems);
    if (problems.length === before) {
      const { fixtures: _ignored, ...customer } = c;
      customers.push({ customer, skus: skus.value, users: users.value });
    }
  }
  if (problems.length || !partner || !rules) throw new DatasetError(problems);
  const { customers: _c, ...settings } = partner;
  return { partner: settings, rules, customers };
}

/** A customer's users come from users.json or the admin center's export; both at once is refused. */
async function whichUsersFile(folder: string, rel: string, problems: DatasetProblem[]): Promise<string | undefined> {
  const exists = (name: string) => access(path.join(folder, name)).then(() => true, () => false);
  const [json, csv] = await Promise.all([exists('users.json'), exists(USERS_EXPORT_FILE)]);
  if (json && csv) {
    problems.push({ file: rel, field: '', message: `has both users.json and ${USERS_EXPORT_FILE}; keep the one to load and remove the other` });
    return undefined;
  }
  if (!json && !csv) {
    problems.push({ file: path.join(rel, 'users.json'), field: '', message: `missing (or ${USERS_EXPORT_FILE}, the admin center's Export users)` });
    return undefined;
  }
  return json ? 'users.json' : USERS_EXPORT_FILE;
}

async function readExport(file: string, rel: string, tenantId: string, skus: SubscribedSku[], org: z.infer<typeof organizationSchema> | undefined, problems: DatasetProblem[]) {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    problems.push({ file: rel, field: '', message: 'unreadable' });
    return undefined;
  }
  // The admin center writes UTF-8; a file saved again as "Unicode text" or in a legacy code page
  // would otherwise load with garbled names.
  let text: string;
  try {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new Error();
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    problems.push({ file: rel, field: '', message: 'not UTF-8 text: export it again, or save it as "CSV UTF-8"' });
    return undefined;
  }
  const initialDomain = org?.verifiedDomains.find((d) => d.isInitial)?.name;
  const result = readUsersExport(text, { tenantId, skus, initialDomain });
  for (const p of result.problems) problems.push({ file: rel, field: `line ${p.line}${p.column ? `, "${p.column}"` : ''}`, message: p.message });
  return result.problems.length ? undefined : { value: result.users };
}

function crossCheck(c: Customer, org: z.infer<typeof organizationSchema> | undefined, skus: SubscribedSku[], users: DirectoryUser[], rel: string, usersFile: string, problems: DatasetProblem[]) {
  const at = (name: string) => path.join(rel, name);
  if (!org) problems.push({ file: at('organization.json'), field: 'value', message: 'no organization' });
  else if (org.id !== c.tenantId) problems.push({ file: at('organization.json'), field: 'value.0.id', message: `is ${org.id}, but partner.json says tenant ${c.tenantId}` });
  const skuIds = new Set<string>();
  skus.forEach((s, i) => {
    if (skuIds.has(s.skuId)) problems.push({ file: at('subscribedSkus.json'), field: `value.${i}.skuId`, message: `duplicate product ${s.skuId}` });
    skuIds.add(s.skuId);
  });
  const seen = new Set<string>();
  users.forEach((u, i) => {
    if (seen.has(u.id)) problems.push({ file: at(usersFile), field: `value.${i}.id`, message: `duplicate user ${u.id}` });
    seen.add(u.id);
    u.assignedLicenses.forEach((l, j) => {
      if (!skuIds.has(l.skuId)) problems.push({ file: at(usersFile), field: `value.${i}.assignedLicenses.${j}.skuId`, message: `${u.userPrincipalName} holds ${l.skuId}, which is not in subscribedSkus.json` });
    });
  });
  skus.forEach((s, i) => {
    const holders = users.filter((u) => u.assignedLicenses.some((l) => l.skuId === s.skuId)).length;
    if (holders !== s.consumedUnits) {
      problems.push({ file: at('subscribedSkus.json'), field: `value.${i}.consumedUnits`, message: `is ${s.consumedUnits}, but ${holders} users in ${usersFile} hold ${s.skuPartNumber}` });
    }
  });
}

/**
 * Writes a checked data set. Idempotent: every document has a fixed id, so loading the same data
 * again changes nothing. The partner document goes last, so a store counts as seeded only when whole.
 */
export async function importDataset(store: Pick<CosmosStore, 'containers'>, data: Dataset, options: { replace?: boolean } = {}): Promise<{ customers: number; users: number; products: number }> {
  const directory = new DirectoryRepository(store.containers.directory);
  // An export overwrites users and seat counts: never under a running change, and over changes made in
  // License Desk only when asked to (they would be rolled back to the export).
  const problems: DatasetProblem[] = [];
  const partner = new PartnerRepository(store.containers.partner);
  for (const [i, { customer }] of data.customers.entries()) {
    const count = async (extra: string, parameters: SqlParameter[] = []) =>
      (await queryAll<number>(store.containers.operations, `SELECT VALUE COUNT(1) FROM c WHERE c.customerId = @c AND c.type = "operation" AND ${extra}`, [{ name: '@c', value: customer.key }, ...parameters]))[0] ?? 0;
    if (await count('c.status = "running"')) {
      problems.push({ file: 'partner.json', field: `customers.${i}`, message: `${customer.key} has a license change running; import when it is done` });
      continue;
    }
    // Changes made since this customer was last imported would be rolled back to the export.
    const importedAt = await partner.importedAt(customer.key);
    const since = importedAt ? await count('c.createdAt > @t', [{ name: '@t', value: importedAt }]) : await count('true');
    if (since && !options.replace) problems.push({ file: 'partner.json', field: `customers.${i}`, message: `${customer.key} has ${since} license change(s) made in License Desk since its last import, which the import would overwrite; pass --replace to load it anyway` });
  }
  if (problems.length) throw new DatasetError(problems);
  let users = 0;
  let products = 0;
  for (const { customer, skus, users: list } of data.customers) {
    await mapLimit(skus, 8, (s) => directory.upsert(toSkuDoc(customer.key, s)));
    // The page index's base is written from the list in hand (no query of 100,000 users afterwards);
    // the journal's end is read first, so a write that lands meanwhile is applied on top by revision.
    // One revision for the whole import; each document is built as it is written (100,000 of them held
    // at once took the import to 1 GB).
    const from = await directory.index.journalEnd(customer.key);
    const rev = nextRev();
    await mapLimit(list, 16, (u) => directory.upsert({ ...toUserDoc(customer.key, u), rev }));
    await directory.index.writeBase(customer.key, list.map((u) => recordOf({ ...u, rev })), from);
    await directory.saveSummary(customer.key, summarize(list, skus.map((s) => s.skuId)));
    users += list.length;
    products += skus.length;
  }
  await partner.save(data.partner, data.rules, data.customers.map((c) => c.customer));
  return { customers: data.customers.length, users, products };
}

/** Seeds an empty store from a directory; leaves a seeded one alone. */
export async function seedIfEmpty(store: Pick<CosmosStore, 'containers'>, dir: string): Promise<boolean> {
  if (!(await new PartnerRepository(store.containers.partner).isEmpty())) return false;
  await importDataset(store, await loadDataset(dir));
  return true;
}
