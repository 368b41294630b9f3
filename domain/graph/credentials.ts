// One @azure/identity credential per customer tenant (app-only tokens are issued per tenant), cached, so
// MSAL's token cache is reused. With federation the client assertion is a managed identity's token for
// api://AzureADTokenExchange: https://learn.microsoft.com/entra/workload-id/workload-identity-federation
import { get, type Agent } from 'node:https';
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
  type TokenCredentialOptions,
} from '@azure/identity';
import type { GraphSettings } from './settings';
import { mapTokenError } from './token-errors';

export const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

export interface CredentialOptions {
  /** An https.Agent for the identity platform (keep-alive; a test CA via `ca`). */
  agent?: Agent;
}

export interface TenantTokenSource {
  /** A Graph access token for the tenant; throws a GraphConnectionError (never the secret or token). */
  token(tenantId: string): Promise<string>;
  credentialFor(tenantId: string): TokenCredential;
  /** Drops the tenant's credential (and its cached token): the next token is asked for anew. */
  forget(tenantId: string): void;
}

export function createTenantTokenSource(settings: GraphSettings, options: CredentialOptions = {}): TenantTokenSource {
  const scope = `${settings.graphEndpoint}/.default`;
  const common: TokenCredentialOptions & { disableInstanceDiscovery: boolean } = {
    authorityHost: settings.authorityHost,
    disableInstanceDiscovery: settings.disableInstanceDiscovery,
    // The caller's own pacing decides about retries; identity's default 3 retries would hide outages.
    retryOptions: { maxRetries: 1 },
    ...(options.agent ? { agent: options.agent } : {}),
  };
  const cache = new Map<string, TokenCredential>();
  let managedIdentity: ManagedIdentityCredential | undefined;

  const build = (tenantId: string): TokenCredential => {
    const c = settings.credential;
    switch (c.kind) {
      case 'secret':
        return new ClientSecretCredential(tenantId, settings.clientId, c.clientSecret, common);
      case 'certificate':
        return new ClientCertificateCredential(tenantId, settings.clientId, { certificatePath: c.certificatePath }, common);
      case 'federated': {
        managedIdentity ??= new ManagedIdentityCredential({
          clientId: c.managedIdentityClientId,
          ...(options.agent ? { agent: options.agent } : {}),
        });
        const mi = managedIdentity;
        return new ClientAssertionCredential(
          tenantId,
          settings.clientId,
          async () => (await mi.getToken(TOKEN_EXCHANGE_SCOPE)).token,
          common,
        );
      }
    }
  };

  const credentialFor = (tenantId: string): TokenCredential => {
    let credential = cache.get(tenantId);
    if (!credential) {
      credential = build(tenantId);
      cache.set(tenantId, credential);
    }
    return credential;
  };

  return {
    credentialFor,
    forget: (tenantId) => void cache.delete(tenantId),
    async token(tenantId) {
      try {
        const t = await credentialFor(tenantId).getToken(scope);
        if (!t) throw new Error('no token');
        return t.token;
      } catch (e) {
        const authorityAnswer = /endpoints_resolution_error/.test(String((e as Error)?.message))
          ? await askAuthority(settings.authorityHost, tenantId, options.agent)
          : undefined;
        throw mapTokenError(e, { tenantId, clientId: settings.clientId }, { federated: settings.credential.kind === 'federated', authorityAnswer });
      }
    },
  };
}

/** The authority's own answer for a tenant's OpenID configuration (e.g. AADSTS90002), or '' when unreachable. */
function askAuthority(authorityHost: string, tenantId: string, agent?: Agent): Promise<string> {
  const url = `${authorityHost}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
  return new Promise((resolve) => {
    const req = get(url, { agent, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(res.statusCode === 200 ? '' : (/AADSTS\d+/.exec(text)?.[0] ?? '')));
      res.on('error', () => resolve(''));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(''));
  });
}
