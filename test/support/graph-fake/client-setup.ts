// How tests point the real client and @azure/identity at the fake: settings from an environment, and
// one keep-alive https.Agent that trusts the test CA (passed to both; nothing global is changed).
import { Agent } from 'node:https';
import { readGraphSettings, type GraphSettings } from '../../../domain/graph';
import { APP_CERTIFICATE_PATH, IDS, TEST_CA, type GraphFake } from './server';

export type CredentialKind = 'secret' | 'certificate' | 'federated';

export function fakeSettings(fake: GraphFake, kind: CredentialKind = 'secret', extra: Record<string, string> = {}): GraphSettings {
  const credential =
    kind === 'secret'
      ? { GRAPH_CLIENT_SECRET: IDS.secret }
      : kind === 'certificate'
        ? { GRAPH_CLIENT_CERTIFICATE_PATH: APP_CERTIFICATE_PATH }
        : { GRAPH_FEDERATED_IDENTITY_CLIENT_ID: IDS.managedIdentityClientId };
  const result = readGraphSettings({
    GRAPH_CLIENT_ID: IDS.clientId,
    GRAPH_ENDPOINT: fake.origin,
    AZURE_AUTHORITY_HOST: fake.origin,
    ...credential,
    ...extra,
  });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.settings;
}

export function trustingAgent(): Agent {
  return new Agent({ keepAlive: true, ca: TEST_CA });
}
