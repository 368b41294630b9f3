// Each credential kind gets a real token from the fake identity platform through @azure/identity, over
// HTTPS trusting only the test CA; failures become connection error codes without any secret.
import { createTenantTokenSource, GraphConnectionError } from '../../domain/graph';
import { fakeSettings, trustingAgent } from '../support/graph-fake/client-setup';
import { GraphFake, IDS } from '../support/graph-fake/server';
import { verifyToken } from '../support/graph-fake/tokens';

let fake: GraphFake;
const agent = trustingAgent();
const savedEnv = { ...process.env };

beforeAll(async () => {
  fake = await new GraphFake().start();
  Object.assign(process.env, fake.managedIdentityEnv());
});
afterAll(async () => {
  process.env = savedEnv;
  agent.destroy();
  await fake.stop();
});

test.each(['secret', 'certificate', 'federated'] as const)('a %s credential gets a Graph token for the customer tenant', async (kind) => {
  const tokens = createTenantTokenSource(fakeSettings(fake, kind), { agent });
  const token = await tokens.token(IDS.contoso);
  const claims = verifyToken(token)!;
  expect(claims).toMatchObject({ tid: IDS.contoso, aud: fake.origin, appid: IDS.clientId });
  // Cached per tenant: a second token for the same tenant asks the identity platform nothing new.
  const before = fake.requests.filter((r) => r.kind === 'identity').length;
  await tokens.token(IDS.contoso);
  expect(fake.requests.filter((r) => r.kind === 'identity').length).toBe(before);
  expect(tokens.credentialFor(IDS.contoso)).toBe(tokens.credentialFor(IDS.contoso));
});

test('with an authority host that is not Microsoft\'s, instance discovery is never asked', () => {
  expect(fake.requests.filter((r) => r.kind === 'identity').length).toBeGreaterThan(0);
  expect(fake.requests.some((r) => r.path === '/common/discovery/instance')).toBe(false);
});

test('federation presents the managed identity token for api://AzureADTokenExchange as the assertion', async () => {
  const tokens = createTenantTokenSource(fakeSettings(fake, 'federated'), { agent });
  await tokens.token(IDS.fabrikam);
  const mi = fake.requests.filter((r) => r.kind === 'managedIdentity');
  expect(mi.length).toBeGreaterThan(0);
  expect(mi.every((r) => r.status === 200)).toBe(true);
});

test('a tenant without consent gives consentMissing with the AADSTS code and no secret', async () => {
  const tokens = createTenantTokenSource(fakeSettings(fake, 'secret'), { agent });
  const error = await tokens.token(IDS.noConsent).catch((e) => e);
  expect(error).toBeInstanceOf(GraphConnectionError);
  expect(error.code).toBe('consentMissing');
  expect(error.params).toMatchObject({ tenantId: IDS.noConsent, clientId: IDS.clientId, aadsts: '7000229' });
  expect(JSON.stringify({ ...error, message: error.message })).not.toContain(IDS.secret);
});

test('a wrong secret gives invalidClientSecret', async () => {
  const settings = fakeSettings(fake, 'secret', { GRAPH_CLIENT_SECRET: 'wrong-secret-value' });
  const error = await createTenantTokenSource(settings, { agent }).token(IDS.contoso).catch((e) => e);
  expect(error).toMatchObject({ code: 'invalidClientSecret', params: { aadsts: '7000215' } });
  expect(error.message).not.toContain('wrong-secret-value');
});

test('an unknown tenant gives tenantNotFound', async () => {
  const error = await createTenantTokenSource(fakeSettings(fake, 'secret'), { agent })
    .token('0f0e0d0c-0b0a-4909-8807-060504030201')
    .catch((e) => e);
  expect(error).toMatchObject({ code: 'tenantNotFound' });
});

test('without the test CA the fake is not trusted (nothing global was switched off)', async () => {
  const error = await createTenantTokenSource(fakeSettings(fake, 'secret')).token(IDS.fabrikam).catch((e) => e);
  expect(error).toBeInstanceOf(GraphConnectionError);
  expect(error.code).toBe('identityUnavailable');
});
