// Token failures become a per-customer connection error with a stable code and structured params.
// AADSTS codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
// Only the AADSTS number, tenant and ids survive: never the assertion, secret or token.

export type GraphConnectionErrorCode =
  | 'consentMissing'
  | 'invalidClientSecret'
  | 'invalidClientCertificate'
  | 'federationFailed'
  | 'tenantNotFound'
  | 'applicationDisabled'
  | 'accessBlocked'
  | 'permissionMissing'
  | 'tokenRejected'
  | 'gdapRelationshipMissing'
  | 'identityUnavailable';

export interface GraphConnectionErrorParams {
  tenantId: string;
  clientId?: string;
  /** The AADSTS number, e.g. "7000229", when the identity platform gave one. */
  aadsts?: string;
  correlationId?: string;
  httpStatus?: number;
}

export class GraphConnectionError extends Error {
  override readonly name = 'GraphConnectionError';
  constructor(
    readonly code: GraphConnectionErrorCode,
    readonly params: GraphConnectionErrorParams,
  ) {
    super(`${code} (tenant ${params.tenantId}${params.aadsts ? `, AADSTS${params.aadsts}` : ''})`);
  }
}

const BY_AADSTS: Record<string, GraphConnectionErrorCode> = {
  '65001': 'consentMissing', // the user or administrator has not consented to use the application
  '7000229': 'consentMissing', // the client application is missing service principal in the tenant
  '700016': 'consentMissing', // application not found in the directory (never installed there)
  '500011': 'consentMissing', // resource principal not found in the tenant
  '650052': 'consentMissing', // the app needs access to a service the organization has not subscribed to
  '7000215': 'invalidClientSecret', // invalid client secret provided
  '7000222': 'invalidClientSecret', // the provided client secret keys are expired
  '700027': 'invalidClientCertificate', // client assertion contains an invalid signature
  '700023': 'invalidClientCertificate',
  '70021': 'federationFailed', // no matching federated identity record found for presented assertion
  '700211': 'federationFailed', // no matching federated identity record found for presented assertion issuer
  '700212': 'federationFailed', // ... audience
  '700213': 'federationFailed', // ... subject
  '700024': 'federationFailed', // client assertion is not within its valid time range
  '90002': 'tenantNotFound', // tenant not found
  '900023': 'tenantNotFound', // specified tenant identifier is neither a valid DirectoryName nor ObjectId
  '90072': 'tenantNotFound',
  '7000112': 'applicationDisabled', // application is disabled
  '53003': 'accessBlocked', // access blocked by Conditional Access
};

function textOf(e: unknown): string {
  if (!e || typeof e !== 'object') return String(e ?? '');
  const o = e as { message?: string; errorResponse?: { errorDescription?: string; error_description?: string } };
  return [o.message, o.errorResponse?.errorDescription, o.errorResponse?.error_description].filter(Boolean).join(' ');
}

export function mapTokenError(
  e: unknown,
  ids: { tenantId: string; clientId?: string },
  context: { federated?: boolean; authorityAnswer?: string } = {},
): GraphConnectionError {
  if (e instanceof GraphConnectionError) return e;
  // MSAL reports an authority it could not read as endpoints_resolution_error without the AADSTS
  // answer; `authorityAnswer` is what the authority said when asked directly (see credentials.ts).
  const text = `${textOf(e)} ${context.authorityAnswer ?? ''}`;
  const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
  const correlationId = /Correlation ID: ([0-9a-f-]{36})/i.exec(text)?.[1];
  const httpStatus = (e as { statusCode?: number })?.statusCode;
  const code: GraphConnectionErrorCode =
    (aadsts && BY_AADSTS[aadsts]) ||
    // The managed identity (federation's first leg) failed before any AADSTS answer.
    (context.federated && (e as { name?: string })?.name === 'CredentialUnavailableError' && !/endpoints_resolution_error/.test(text)
      ? 'federationFailed'
      : 'identityUnavailable');
  return new GraphConnectionError(code, {
    ...ids,
    ...(aadsts ? { aadsts } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(httpStatus ? { httpStatus } : {}),
  });
}
