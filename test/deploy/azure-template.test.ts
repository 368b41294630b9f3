// The ARM template, read offline: every reference resolves, every resource has an apiVersion, and the
// deployment gives License Desk what it needs with no secret stored. Each check is shown to catch a break.
import { readFileSync } from 'node:fs';
import { parseExpression, print } from '../../deploy/azure/arm-expressions';
import { PARAMETERS_FILE, TEMPLATE_FILE, templateProblems } from '../../deploy/azure/check-template';

/* eslint-disable @typescript-eslint/no-explicit-any */
const template = (): any => JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8'));
const parameters = (): any => JSON.parse(readFileSync(PARAMETERS_FILE, 'utf8'));
const resource = (t: any, type: string) => t.resources.find((r: any) => r.type === type);
const site = (t: any) => resource(t, 'Microsoft.Web/sites');
const setting = (t: any, name: string) => site(t).properties.siteConfig.appSettings.find((s: any) => s.name === name);

describe('the ARM template', () => {
  it('has no problem: references resolve, api versions are there, requirements hold', () => {
    expect(templateProblems(template(), parameters())).toEqual([]);
  });

  it('parses every expression it holds', () => {
    const text = readFileSync(TEMPLATE_FILE, 'utf8');
    const expressions = [...text.matchAll(/"(\[[^"]*\])"/g)].map((m) => m[1]);
    expect(expressions.length).toBeGreaterThan(50);
    for (const e of expressions) expect(`[${print(parseExpression(e))}]`.replace(/\s/g, '')).toBe(e.replace(/\s/g, ''));
  });

  it('deploys the resources the bot runs on', () => {
    expect(template().resources.map((r: any) => r.type).sort()).toEqual([
      'Microsoft.BotService/botServices',
      'Microsoft.BotService/botServices/channels',
      'Microsoft.DocumentDB/databaseAccounts',
      'Microsoft.DocumentDB/databaseAccounts/sqlDatabases',
      'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
      'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
      'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
      'Microsoft.Insights/components',
      'Microsoft.Insights/diagnosticSettings',
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      'Microsoft.OperationalInsights/workspaces',
      'Microsoft.Web/serverfarms',
      'Microsoft.Web/sites',
    ]);
  });

  // A copy of the template, broken one way, must fail with a line that says how.
  const broken: [string, (t: any) => void, string | RegExp][] = [
    ['a resource without apiVersion', (t) => delete resource(t, 'Microsoft.Web/serverfarms').apiVersion, 'resources[8] Microsoft.Web/serverfarms: has no apiVersion'],
    ['a misspelt parameter', (t) => (site(t).location = "[parameters('locaton')]"), "resources[9] Microsoft.Web/sites.location: parameters('locaton') is not declared"],
    ['an undeclared variable', (t) => (setting(t, 'COSMOS_DATABASE').value = "[variables('database')]"), /variables\('database'\) is not declared/],
    ['a resourceId() of nothing declared', (t) => (resource(t, 'Microsoft.Insights/components').properties.WorkspaceResourceId = "[resourceId('Microsoft.OperationalInsights/workspaces', 'other')]"), /resourceId\('Microsoft.OperationalInsights\/workspaces', 'other'\) names no resource/],
    ['a dependsOn on a missing resource', (t) => site(t).dependsOn.push("[resourceId('Microsoft.KeyVault/vaults', 'kv')]"), /resourceId\('Microsoft.KeyVault\/vaults', 'kv'\) names no resource/],
    ['a reference() with another apiVersion', (t) => (setting(t, 'COSMOS_ENDPOINT').value = "[reference(resourceId('Microsoft.DocumentDB/databaseAccounts', variables('cosmosAccountName')), '2021-04-15').documentEndpoint]"), /reads with apiVersion 2021-04-15, the resource is deployed with 2024-05-15/],
    ['an unbalanced expression', (t) => (site(t).name = "[format('{0}', variables('siteName')]"), /expected \)/],
    ['an unknown function', (t) => (site(t).name = "[formatt('{0}', variables('siteName'))]"), /unknown function formatt\(\)/],
    ['Cosmos DB keys left on', (t) => (resource(t, 'Microsoft.DocumentDB/databaseAccounts').properties.disableLocalAuth = false), 'Cosmos DB has disableLocalAuth: true'],
    ['a container with another partition key', (t) => (t.variables.containers[2].partitionKey = '/id'), /the containers are directory \/customerId, operations \/customerId, partner \/pk, sessions \/id/],
    ['a container missing', (t) => t.variables.containers.pop(), /the containers are .*not directory \/customerId, operations \/customerId, partner \/pk$/],
    ['no Teams channel', (t) => (resource(t, 'Microsoft.BotService/botServices/channels').properties.properties.isEnabled = false), 'the Teams channel (MsTeamsChannel) is on'],
    ['a multi-tenant bot', (t) => (resource(t, 'Microsoft.BotService/botServices').properties.msaAppType = 'MultiTenant'), 'the Azure Bot has msaAppType UserAssignedMSI'],
    ['a bot password stored', (t) => site(t).properties.siteConfig.appSettings.push({ name: 'MicrosoftAppPassword', value: 'x' }), 'no MicrosoftAppPassword app setting: nothing secret is stored'],
    ['a Cosmos key read', (t) => site(t).properties.siteConfig.appSettings.push({ name: 'COSMOS_KEY', value: "[listKeys(resourceId('Microsoft.DocumentDB/databaseAccounts', variables('cosmosAccountName')), '2024-05-15').primaryMasterKey]" }), /unknown function listKeys\(\)/],
    ['Node 18', (t) => (site(t).properties.siteConfig.linuxFxVersion = 'NODE|18-lts'), 'the App Service runs NODE|20-lts'],
    ['HTTP allowed', (t) => (site(t).properties.httpsOnly = false), 'the App Service is HTTPS only'],
    ['TLS 1.0', (t) => (site(t).properties.siteConfig.minTlsVersion = '1.0'), 'the App Service requires TLS 1.2 or later'],
    ['no health check', (t) => delete site(t).properties.siteConfig.healthCheckPath, 'the App Service health check is /healthz'],
    ['not always on', (t) => (site(t).properties.siteConfig.alwaysOn = false), 'the App Service is always on'],
    ['zero instances allowed', (t) => (t.parameters.instanceCount.minValue = 0), 'the App Service plan has at least one instance'],
    ['the identity not attached', (t) => (site(t).identity = { type: 'SystemAssigned' }), 'the App Service has the identity attached'],
    ['no data-plane role', (t) => (t.variables.dataContributorRoleId = '00000000-0000-0000-0000-000000000001'), 'the identity has the Cosmos DB Built-in Data Contributor role'],
    ['provisioned by default', (t) => (t.parameters.cosmosProvisionedThroughput.defaultValue = 400), 'Cosmos DB is serverless by default (cosmosProvisionedThroughput 0)'],
    ['classic Application Insights', (t) => delete resource(t, 'Microsoft.Insights/components').properties.WorkspaceResourceId, 'Application Insights is workspace-based'],
    ['copyIndex() outside a loop', (t) => (resource(t, 'Microsoft.Web/serverfarms').name = "[format('{0}{1}', variables('planName'), copyIndex())]"), /copyIndex\(\) outside a copy loop/],
  ];

  it.each(broken)('fails with %s', (_, breakIt, expected) => {
    const copy = template();
    breakIt(copy);
    const problems = templateProblems(copy, parameters());
    if (typeof expected === 'string') expect(problems).toContain(expected);
    else expect(problems.some((p) => expected.test(p))).toBe(true);
  });

  it('fails on a parameters file that does not fit the template', () => {
    const p = parameters();
    p.parameters.appServicePlanSku.value = 'F1';
    p.parameters.instanceCount.value = 0;
    p.parameters.cosmosThroughput = { value: 400 };
    expect(templateProblems(template(), p)).toEqual([
      'parameters file: appServicePlanSku = F1 is not one of B1, B2, B3, S1, S2, S3, P0v3, P1v3, P2v3, P3v3',
      'parameters file: instanceCount = 0 is out of range',
      'parameters file: cosmosThroughput is not a parameter of the template',
    ]);
  });
});
