// Checks deploy/azure/azuredeploy.json offline (the Bicep compiler and `az` cannot run here): every
// expression parses and names known functions, every parameters()/variables()/resourceId()/reference()
// resolves to something the template declares, every resource has an apiVersion, and what License Desk
// needs from Azure holds (no secret, managed identity everywhere, the containers the code expects).
// `npx tsx deploy/azure/check-template.ts` prints the problems, if any.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { containerSpecs } from '../../domain/store/cosmos';
import { calls, ExpressionError, isExpression, parseExpression, print, type Node } from './arm-expressions';

export const TEMPLATE_FILE = path.join(__dirname, 'azuredeploy.json');
export const PARAMETERS_FILE = path.join(__dirname, 'azuredeploy.parameters.json');

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions
const FUNCTIONS = new Set(['parameters', 'variables', 'resourceId', 'reference', 'format', 'concat', 'toLower', 'toUpper', 'uniqueString', 'resourceGroup', 'subscription', 'tenant', 'guid', 'if', 'equals', 'not', 'and', 'or', 'greater', 'createArray', 'createObject', 'length', 'copyIndex', 'substring', 'take', 'replace', 'string', 'int', 'bool', 'empty', 'contains', 'union', 'environment', 'true', 'false']);
/** Types a template may name without declaring: Cosmos DB's built-in data-plane role definitions. */
const EXTERNAL_TYPES = new Set(['Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions']);
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
const DATA_CONTRIBUTOR = '00000000-0000-0000-0000-000000000002';

interface Declared {
  type: string;
  apiVersion: string;
  parts: string[];
}

/** A resource name as its segments: format('{0}/{1}', a, b) → [a, b]; 'x/y' → ['x', 'y']. */
function nameParts(name: string): string[] {
  if (!isExpression(name)) return name.split('/').map((s) => `'${s}'`);
  const node = parseExpression(name);
  if (node.kind === 'call' && node.name === 'format' && node.args[0]?.kind === 'string') {
    const args = node.args.slice(1);
    return node.args[0].value.split('/').map((seg) => {
      const m = /^\{(\d+)\}$/.exec(seg);
      return m ? print(args[Number(m[1])]) : `'${seg}'`;
    });
  }
  return [print(node)];
}

/** Every string in a JSON value (object keys too), with where it is. */
function* strings(value: Json, where: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, where];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${where}[${i}]`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      yield [k, `${where} (key)`];
      yield* strings(v, `${where}.${k}`);
    }
}

export function referenceProblems(template: Json): string[] {
  const problems: string[] = [];
  const params = template.parameters ?? {};
  const vars = template.variables ?? {};
  const declared: Declared[] = [];
  for (const [i, r] of (template.resources ?? []).entries()) {
    const where = `resources[${i}] ${r?.type ?? ''}`.trim();
    if (!r?.type) problems.push(`${where}: has no type`);
    if (!r?.name) problems.push(`${where}: has no name`);
    if (!r?.apiVersion) problems.push(`${where}: has no apiVersion`);
    else if (!API_VERSION.test(r.apiVersion)) problems.push(`${where}: apiVersion ${r.apiVersion} is not a date version`);
    try {
      if (r?.type && r?.name) declared.push({ type: r.type, apiVersion: r.apiVersion, parts: nameParts(r.name) });
    } catch (err) {
      problems.push(`${where}: name: ${(err as Error).message}`);
    }
  }
  const resolves = (node: Node): Declared | 'external' | undefined => {
    if (node.kind !== 'call' || node.name !== 'resourceId' || node.args[0]?.kind !== 'string') return undefined;
    const type = node.args[0].value;
    if (EXTERNAL_TYPES.has(type)) return 'external';
    const parts = node.args.slice(1).map(print);
    return declared.find((d) => d.type === type && d.parts.join('/') === parts.join('/'));
  };
  const check = (text: string, where: string, inCopy: boolean) => {
    let node: Node;
    try {
      node = parseExpression(text);
    } catch (err) {
      if (err instanceof ExpressionError) problems.push(`${where}: ${err.message}`);
      else throw err;
      return;
    }
    for (const call of calls(node)) {
      const first = call.args[0]?.kind === 'string' ? call.args[0].value : undefined;
      if (!FUNCTIONS.has(call.name)) problems.push(`${where}: unknown function ${call.name}()`);
      if (call.name === 'parameters' && !(first !== undefined && first in params)) problems.push(`${where}: parameters('${first}') is not declared`);
      if (call.name === 'variables' && !(first !== undefined && first in vars)) problems.push(`${where}: variables('${first}') is not declared`);
      if (call.name === 'copyIndex' && !inCopy) problems.push(`${where}: copyIndex() outside a copy loop`);
      if (call.name === 'resourceId' && !resolves(call)) problems.push(`${where}: ${print(call)} names no resource of this template`);
      if (call.name === 'reference') {
        const target = resolves(call.args[0]);
        const version = call.args[1]?.kind === 'string' ? call.args[1].value : undefined;
        if (target && target !== 'external' && version && version !== target.apiVersion) problems.push(`${where}: ${print(call)} reads with apiVersion ${version}, the resource is deployed with ${target.apiVersion}`);
      }
    }
  };
  for (const section of ['parameters', 'variables', 'outputs'] as const)
    for (const [text, where] of strings(template[section] ?? {}, section)) if (isExpression(text)) check(text, where, false);
  for (const [i, r] of (template.resources ?? []).entries()) {
    for (const [text, where] of strings(r, `resources[${i}] ${r?.type}`)) if (isExpression(text)) check(text, where, !!r.copy);
    for (const dep of r?.dependsOn ?? []) if (!isExpression(dep)) problems.push(`resources[${i}] ${r.type}: dependsOn ${dep} is not a resourceId()`);
    if (r?.scope) {
      const [type, parts] = [nameParts(r.scope).slice(0, 2).map((s) => s.replace(/^'|'$/g, '')).join('/'), nameParts(r.scope).slice(2)];
      if (!declared.some((d) => d.type === type && d.parts.join('/') === parts.join('/'))) problems.push(`resources[${i}] ${r.type}: scope ${r.scope} names no resource of this template`);
    }
  }
  return problems;
}

export function parameterFileProblems(template: Json, parameters: Json): string[] {
  const problems: string[] = [];
  const declared = template.parameters ?? {};
  for (const [name, { value }] of Object.entries<Json>(parameters.parameters ?? {})) {
    const p = declared[name];
    if (!p) problems.push(`parameters file: ${name} is not a parameter of the template`);
    else if (p.allowedValues && !p.allowedValues.includes(value)) problems.push(`parameters file: ${name} = ${value} is not one of ${p.allowedValues.join(', ')}`);
    else if (typeof value === 'number' && ((p.minValue !== undefined && value < p.minValue) || (p.maxValue !== undefined && value > p.maxValue))) problems.push(`parameters file: ${name} = ${value} is out of range`);
  }
  for (const [name, p] of Object.entries<Json>(declared)) if (p.defaultValue === undefined && !(name in (parameters.parameters ?? {}))) problems.push(`parameters file: ${name} has no value and no default`);
  return problems;
}

const ofType = (template: Json, type: string): Json[] => (template.resources ?? []).filter((r: Json) => r?.type === type);
const mentions = (value: unknown, text: string) => typeof value === 'string' && value.includes(text);

/** What License Desk needs from this deployment (see deploy/README.md). */
export function requirementProblems(template: Json): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, what: string) => {
    if (!ok) problems.push(what);
  };
  const IDENTITY = "resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('identityName'))";
  need(ofType(template, 'Microsoft.ManagedIdentity/userAssignedIdentities').length === 1, 'one user-assigned managed identity');

  const [bot] = ofType(template, 'Microsoft.BotService/botServices');
  need(bot, 'an Azure Bot (Microsoft.BotService/botServices)');
  need(bot?.properties?.msaAppType === 'UserAssignedMSI', 'the Azure Bot has msaAppType UserAssignedMSI');
  need(mentions(bot?.properties?.msaAppMSIResourceId, IDENTITY), 'the Azure Bot names the identity in msaAppMSIResourceId');
  need(mentions(bot?.properties?.msaAppId, `${IDENTITY}, '2023-01-31').clientId`), "the Azure Bot's msaAppId is the identity's client id");
  need(bot?.properties?.msaAppTenantId, 'the Azure Bot has msaAppTenantId');
  need(mentions(bot?.properties?.endpoint, '/api/messages'), "the Azure Bot's endpoint is the App Service's /api/messages");
  const teams = ofType(template, 'Microsoft.BotService/botServices/channels').find((c) => c.properties?.channelName === 'MsTeamsChannel');
  need(teams?.properties?.properties?.isEnabled === true, 'the Teams channel (MsTeamsChannel) is on');

  const [plan] = ofType(template, 'Microsoft.Web/serverfarms');
  need(plan?.properties?.reserved === true, 'the App Service plan is Linux (reserved: true)');
  const capacity = plan?.sku?.capacity;
  const capacityParam = /^\[parameters\('(\w+)'\)\]$/.exec(String(capacity))?.[1];
  need(typeof capacity === 'number' ? capacity >= 1 : capacityParam && template.parameters?.[capacityParam]?.minValue >= 1, 'the App Service plan has at least one instance');
  const [site] = ofType(template, 'Microsoft.Web/sites');
  const config = site?.properties?.siteConfig ?? {};
  need(String(site?.kind).includes('linux'), 'the App Service is a Linux app');
  need(config.linuxFxVersion === 'NODE|20-lts', 'the App Service runs NODE|20-lts');
  need(site?.properties?.httpsOnly === true, 'the App Service is HTTPS only');
  need(['1.2', '1.3'].includes(config.minTlsVersion), 'the App Service requires TLS 1.2 or later');
  need(config.alwaysOn === true, 'the App Service is always on');
  need(config.healthCheckPath === '/healthz', 'the App Service health check is /healthz');
  need(site?.identity?.type?.includes('UserAssigned') && Object.keys(site?.identity?.userAssignedIdentities ?? {}).some((k) => mentions(k, IDENTITY)), 'the App Service has the identity attached');
  const settings = new Map<string, string>((config.appSettings ?? []).map((s: Json) => [s.name, String(s.value)]));
  need(settings.get('MicrosoftAppType') === 'UserAssignedMSI', 'app setting MicrosoftAppType = UserAssignedMSI');
  need(mentions(settings.get('MicrosoftAppId'), '.clientId'), "app setting MicrosoftAppId = the identity's client id");
  need(mentions(settings.get('MicrosoftAppTenantId'), '.tenantId'), "app setting MicrosoftAppTenantId = the identity's tenant");
  need(mentions(settings.get('AZURE_CLIENT_ID'), '.clientId'), "app setting AZURE_CLIENT_ID = the identity's client id (Cosmos DB sign-in)");
  need(mentions(settings.get('COSMOS_ENDPOINT'), '.documentEndpoint'), 'app setting COSMOS_ENDPOINT = the account endpoint');
  need(settings.has('COSMOS_DATABASE'), 'app setting COSMOS_DATABASE');
  need(mentions(settings.get('APPLICATIONINSIGHTS_CONNECTION_STRING'), '.ConnectionString'), 'app setting APPLICATIONINSIGHTS_CONNECTION_STRING');
  for (const secret of ['MicrosoftAppPassword', 'COSMOS_KEY']) need(!settings.has(secret), `no ${secret} app setting: nothing secret is stored`);
  need(!JSON.stringify(template).match(/listKeys|listConnectionStrings/), 'no listKeys()/listConnectionStrings(): no key is read');

  const [account] = ofType(template, 'Microsoft.DocumentDB/databaseAccounts');
  need(account?.properties?.disableLocalAuth === true, 'Cosmos DB has disableLocalAuth: true');
  need(mentions(account?.properties?.capabilities, 'EnableServerless') && template.parameters?.cosmosProvisionedThroughput?.defaultValue === 0, 'Cosmos DB is serverless by default (cosmosProvisionedThroughput 0)');
  need(mentions(ofType(template, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases')[0]?.properties?.options, "parameters('cosmosProvisionedThroughput')"), 'the database takes cosmosProvisionedThroughput when provisioned');
  const [containers] = ofType(template, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers');
  const list: { name: string; partitionKey: string }[] = template.variables?.containers ?? [];
  need(mentions(containers?.copy?.count, "length(variables('containers'))") && mentions(containers?.properties?.resource?.partitionKey?.paths?.[0], "variables('containers')[copyIndex()].partitionKey"), "the containers are made from variables('containers'), each with its partition key");
  const wanted = Object.entries(containerSpecs).map(([name, partitionKey]) => `${name} ${partitionKey}`).sort();
  const made = list.map((c) => `${c.name} ${c.partitionKey}`).sort();
  need(JSON.stringify(made) === JSON.stringify(wanted), `the containers are ${wanted.join(', ')} (the code's containerSpecs), not ${made.join(', ') || 'none'}`);
  const role = ofType(template, 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments').find((a) => mentions(a.properties?.principalId, IDENTITY));
  need(role && template.variables?.dataContributorRoleId === DATA_CONTRIBUTOR && mentions(role.properties.roleDefinitionId, "variables('dataContributorRoleId')"), 'the identity has the Cosmos DB Built-in Data Contributor role');

  const [insights] = ofType(template, 'Microsoft.Insights/components');
  need(mentions(insights?.properties?.WorkspaceResourceId, "resourceId('Microsoft.OperationalInsights/workspaces'"), 'Application Insights is workspace-based');
  return problems;
}

export function templateProblems(template: Json, parameters?: Json): string[] {
  return [...referenceProblems(template), ...(parameters ? parameterFileProblems(template, parameters) : []), ...requirementProblems(template)];
}

if (require.main === module) {
  const problems = templateProblems(JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')), JSON.parse(readFileSync(PARAMETERS_FILE, 'utf8')));
  if (problems.length) {
    console.error(`deploy/azure/azuredeploy.json has problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('deploy/azure/azuredeploy.json: every reference resolves and every requirement holds.');
}
