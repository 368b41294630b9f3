// The fake Microsoft identity platform, as @azure/identity (MSAL) calls it:
// - OpenID configuration: https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
// - instance discovery (only when not disabled): https://learn.microsoft.com/entra/identity-platform/msal-client-application-configuration
// - client credentials with a secret, a certificate assertion, or a federated assertion:
//   https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
//   https://learn.microsoft.com/entra/identity-platform/certificate-credentials
//   https://learn.microsoft.com/entra/workload-id/workload-identity-federation
// - App Service managed identity (IDENTITY_ENDPOINT/IDENTITY_HEADER, api-version 2019-08-01):
//   https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
// - error responses and AADSTS codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
import { constants, createPublicKey, randomUUID, verify, X509Certificate } from 'node:crypto';
import { decodeJwt, issueToken, verifyToken } from './tokens';

export interface FakeApp {
  clientId: string;
  secret: string;
  /** PEM of the app's registered certificate (public part). */
  certificatePem: string;
  /** Federated identity credential: tokens of this managed identity (its principal id is the subject). */
  federatedSubject: string;
}

export interface FakeManagedIdentity {
  clientId: string;
  principalId: string;
  header: string;
}

export interface IdentityConfig {
  origin: string;
  app: FakeApp;
  managedIdentity: FakeManagedIdentity;
  /** Tenants that exist. */
  tenants: Set<string>;
  /** Tenants where the app has no service principal (no admin consent). */
  withoutConsent: Set<string>;
}

export type Reply = { status: number; headers?: Record<string, string>; body: unknown };

function aadError(status: number, error: string, aadsts: number, description: string): Reply {
  const trace = randomUUID();
  const correlation = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: ${trace} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: trace,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
    },
  };
}

export function openIdConfiguration(cfg: IdentityConfig, tenant: string): Reply {
  if (!cfg.tenants.has(tenant)) {
    return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  const base = `${cfg.origin}/${tenant}`;
  const host = new URL(cfg.origin).host;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      tenant_region_scope: 'EU',
      cloud_instance_name: host,
      msgraph_host: host,
    },
  };
}

export function instanceDiscovery(cfg: IdentityConfig): Reply {
  const host = new URL(cfg.origin).host;
  return {
    status: 200,
    body: {
      tenant_discovery_endpoint: `${cfg.origin}/{tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    },
  };
}

function certificateAssertionValid(cfg: IdentityConfig, assertion: string): boolean {
  const jwt = decodeJwt(assertion);
  if (!jwt || jwt.payload.iss !== cfg.app.clientId || jwt.payload.sub !== cfg.app.clientId) return false;
  if (typeof jwt.payload.exp !== 'number' || jwt.payload.exp < Date.now() / 1000) return false;
  const key = createPublicKey(new X509Certificate(cfg.app.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
  const alg = jwt.header.alg;
  if (alg === 'RS256') return verify('sha256', Buffer.from(jwt.signingInput), key, jwt.signature);
  if (alg === 'PS256') {
    return verify('sha256', Buffer.from(jwt.signingInput), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, jwt.signature);
  }
  return false;
}

/** POST /{tenant}/oauth2/v2.0/token, grant_type=client_credentials. */
export function tokenEndpoint(cfg: IdentityConfig, tenant: string, form: URLSearchParams): Reply {
  if (!cfg.tenants.has(tenant)) {
    return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  if (form.get('grant_type') !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  }
  const clientId = form.get('client_id');
  if (clientId !== cfg.app.clientId) {
    return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  if (secret !== null) {
    if (secret !== cfg.app.secret) {
      return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
  } else if (assertion && form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    const federated = verifyToken(assertion);
    if (federated) {
      if (federated.aud !== 'api://AzureADTokenExchange' || federated.sub !== cfg.app.federatedSubject) {
        return aadError(400, 'invalid_client', 70021, 'No matching federated identity record found for presented assertion.');
      }
    } else if (!certificateAssertionValid(cfg, assertion)) {
      return aadError(401, 'invalid_client', 700027, 'Client assertion contains an invalid signature.');
    }
  } else {
    return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  if (cfg.withoutConsent.has(tenant)) {
    return aadError(400, 'invalid_client', 7000229, `The client application ${clientId} is missing service principal in the tenant ${tenant}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`);
  }
  const scope = form.get('scope') ?? '';
  const audience = scope.replace(/\/\.default$/, '');
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: issueToken({ tid: tenant, aud: audience, appid: clientId!, sub: `sp-${clientId}`, roles: ['User.ReadWrite.All', 'Organization.Read.All'] }),
    },
  };
}

/** GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…&client_id=…, header X-IDENTITY-HEADER. */
export function managedIdentityToken(cfg: IdentityConfig, query: URLSearchParams, header: string | undefined): Reply {
  if (header !== cfg.managedIdentity.header) return { status: 401, body: { error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong' } };
  const resource = query.get('resource');
  if (query.get('api-version') !== '2019-08-01' || !resource) return { status: 400, body: { error: 'invalid_request', error_description: 'api-version and resource are required' } };
  const id = query.get('client_id');
  if (id && id !== cfg.managedIdentity.clientId) return { status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } };
  const expiresOn = Math.floor(Date.now() / 1000) + 3600;
  return {
    status: 200,
    body: {
      access_token: issueToken({ tid: 'managed-identity', aud: resource, sub: cfg.managedIdentity.principalId, appid: cfg.managedIdentity.clientId }),
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: cfg.managedIdentity.clientId,
    },
  };
}
