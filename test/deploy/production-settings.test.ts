// What the bot says at start-up when its Azure settings are wrong, before anything has started; and how it
// opens a Cosmos DB account whose database and containers it may not create (Entra ID, disableLocalAuth).
import { CosmosClient } from '@azure/cosmos';
import https from 'node:https';
import { loadSettings, SettingsError } from '../../bot/config';
import { CosmosSetupError, cosmosSettings, openCosmos, type CosmosStore } from '../../domain/store/cosmos';
import { closeStores, emulatorEndpoint } from '../support/store';

const IDENTITY = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSettings(env);
  } catch (err) {
    if (err instanceof SettingsError) return err.problems;
    throw err;
  }
  return [];
}

describe('a bot running as a user-assigned managed identity', () => {
  const msi = { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: IDENTITY, MicrosoftAppTenantId: TENANT };

  it('starts with the identity client id and tenant and no password', () => {
    const settings = loadSettings({ ...msi, COSMOS_ENDPOINT: 'https://ld.documents.azure.com:443/', AZURE_CLIENT_ID: IDENTITY });
    expect(settings.localMode).toBe(false);
    expect(cosmosSettings(settings)).toEqual({ endpoint: 'https://ld.documents.azure.com:443/', key: undefined, database: 'license-desk', managedIdentityClientId: IDENTITY });
  });

  it('never seeds a production store with the demo unless SEED_DIR names a data set', () => {
    expect(loadSettings(msi).seedDir).toBeUndefined();
    expect(loadSettings({ ...msi, SEED_DIR: '/data/ours' }).seedDir).toBe('/data/ours');
    expect(loadSettings({}).seedDir).toMatch(/data[/\\]demo$/);
    expect(loadSettings({ SEED_DIR: 'off' }).seedDir).toBeUndefined();
  });

  it('is refused without a tenant id, in one line that says why', () => {
    expect(problemsOf({ ...msi, MicrosoftAppTenantId: '' })).toEqual([
      "MicrosoftAppTenantId: is required when MicrosoftAppType is UserAssignedMSI: the managed identity's tenant id",
    ]);
  });

  it('is refused with a password, which a managed identity never has', () => {
    expect(problemsOf({ ...msi, MicrosoftAppPassword: 'secret' })).toEqual([
      'MicrosoftAppPassword: must be empty when MicrosoftAppType is UserAssignedMSI: the managed identity needs no secret',
    ]);
  });

  it('is refused without the identity client id instead of silently running in local mode', () => {
    expect(problemsOf({ MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT })).toEqual([
      "MicrosoftAppId: is required when MicrosoftAppType is UserAssignedMSI: the managed identity's client id",
    ]);
    expect(problemsOf({ ...msi, MicrosoftAppId: 'license-desk' })).toEqual([
      "MicrosoftAppId: must be the managed identity's client id (a GUID) when MicrosoftAppType is UserAssignedMSI",
    ]);
  });

  it('lists every problem at once, one line each', () => {
    expect(problemsOf({ MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: IDENTITY, MicrosoftAppPassword: 'x' })).toHaveLength(2);
  });

  it('reports the identity problems together with any other bad setting', () => {
    expect(problemsOf({ MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: IDENTITY, PORT: 'http', COSMOS_ENDPOINT: 'ftp://db' })).toEqual([
      'PORT: must be a port number',
      'COSMOS_ENDPOINT: must be an https:// URL of a Cosmos DB account, or unset for the embedded emulator',
      "MicrosoftAppTenantId: is required when MicrosoftAppType is UserAssignedMSI: the managed identity's tenant id",
    ]);
  });

  it('says which setting is wrong for a bad AZURE_CLIENT_ID', () => {
    expect(problemsOf({ ...msi, AZURE_CLIENT_ID: 'my-identity' })).toEqual(["AZURE_CLIENT_ID: must be the managed identity's client id (a GUID)"]);
  });

  it('keeps the client-secret rules for the other app types', () => {
    expect(problemsOf({ MicrosoftAppId: IDENTITY })).toEqual(['MicrosoftAppPassword: is required when MicrosoftAppId is set']);
    expect(problemsOf({ MicrosoftAppId: IDENTITY, MicrosoftAppPassword: 'x', MicrosoftAppType: 'SingleTenant' })).toEqual([
      'MicrosoftAppTenantId: is required when MicrosoftAppType is SingleTenant',
    ]);
  });

  it('may use Cosmos DB without a key (Microsoft Entra ID)', () => {
    expect(problemsOf({ COSMOS_ENDPOINT: 'https://ld.documents.azure.com:443/' })).toEqual([]);
  });
});

describe('opening a Cosmos DB whose database and containers come from the deployment', () => {
  let endpoint: string;
  const opened: CosmosStore[] = [];
  let admin: CosmosClient;
  let n = 0;
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });

  beforeAll(async () => {
    endpoint = await emulatorEndpoint();
    admin = new CosmosClient({ endpoint, key: 'test', agent, connectionPolicy: { enableEndpointDiscovery: false } });
  });
  afterAll(async () => {
    for (const s of opened) await s.close();
    admin.dispose();
    agent.destroy();
    await closeStores();
  });

  /** What the ARM template creates: the database and the given containers. */
  async function deployed(containers: Record<string, string>): Promise<string> {
    const id = `deployed-${process.pid}-${++n}`;
    const { database } = await admin.databases.create({ id });
    for (const [name, path] of Object.entries(containers)) await database.containers.create({ id: name, partitionKey: { paths: [path] } });
    return id;
  }
  const open = async (database: string) => {
    const store = await openCosmos({ endpoint, key: 'test', database, createIfMissing: false });
    opened.push(store);
    return store;
  };
  const failure = (database: string) => open(database).then(() => undefined, (err: unknown) => err);

  it('opens what the template created and creates nothing', async () => {
    const db = await deployed({ directory: '/customerId', operations: '/customerId', partner: '/pk', sessions: '/id' });
    const store = await open(db);
    await store.containers.sessions.items.upsert({ id: 'a' });
    const { resources } = await admin.database(db).containers.readAll().fetchAll();
    expect(resources.map((c) => c.id).sort()).toEqual(['directory', 'operations', 'partner', 'sessions']);
  });

  it('names the container that is missing, with its partition key, and does not create it', async () => {
    const db = await deployed({ directory: '/customerId', operations: '/customerId', partner: '/pk' });
    const err = await failure(db);
    expect(err).toBeInstanceOf(CosmosSetupError);
    expect((err as CosmosSetupError).problems[0]).toBe(`container "sessions" (partition key /id) is missing in database "${db}"`);
    expect((err as Error).message).toMatch(/deploy\/azure\/azuredeploy\.json/);
    const { resources } = await admin.database(db).containers.readAll().fetchAll();
    expect(resources.map((c) => c.id)).not.toContain('sessions');
  });

  it('names a container with the wrong partition key', async () => {
    const db = await deployed({ directory: '/customerId', operations: '/id', partner: '/pk', sessions: '/id' });
    const err = (await failure(db)) as CosmosSetupError;
    expect(err.problems[0]).toBe('container "operations" has partition key /id; License Desk needs /customerId');
  });

  it('names a missing database and does not create it', async () => {
    const err = (await failure(`never-deployed-${process.pid}`)) as CosmosSetupError;
    expect(err).toBeInstanceOf(CosmosSetupError);
    expect(err.problems[0]).toMatch(/^database "never-deployed-\d+" is missing \(with containers directory \/customerId, operations \/customerId, partner \/pk, sessions \/id\)/);
    const { resources } = await admin.databases.readAll().fetchAll();
    expect(resources.map((d) => d.id)).not.toContain(`never-deployed-${process.pid}`);
  });
});
