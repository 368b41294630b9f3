// Graph's assignLicense failures, mapped to stable codes by their known message texts. The texts are
// undocumented; these are the ones seen in the wild (Microsoft's troubleshooting pages and public
// reports). Anything else stays `other` with Graph's message verbatim.
// Error shape: https://learn.microsoft.com/graph/errors#json-representation
// Texts: https://learn.microsoft.com/entra/fundamentals/licensing-groups-resolve-problems

export type GraphLicenseErrorCode =
  | 'countViolation'
  | 'usageLocationMissing'
  | 'mutuallyExclusiveViolation'
  | 'dependencyViolation'
  | 'unknownSku'
  | 'inheritedFromGroup'
  | 'userNotFound'
  | 'permissionMissing'
  | 'throttled'
  | 'other';

export interface GraphLicenseError {
  code: GraphLicenseErrorCode;
  params: {
    httpStatus: number;
    graphCode?: string;
    skuId?: string;
    /** Service plan ids Graph named (mutually exclusive pair, or dependent then required ones). */
    servicePlanIds?: string[];
    /** Only for `other`: Graph's own words, kept verbatim. */
    message?: string;
    requestId?: string;
  };
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const guids = (s: string) => s.match(GUID)?.map((g) => g.toLowerCase()) ?? [];

interface KnownText {
  test: RegExp;
  code: GraphLicenseErrorCode;
  params?: (message: string) => Partial<GraphLicenseError['params']>;
}

const KNOWN: KnownText[] = [
  // "Subscription with SKU {skuId} does not have any available licenses."
  { test: /does not have any available licenses/i, code: 'countViolation', params: (m) => ({ skuId: guids(m)[0] }) },
  // "License assignment cannot be done for user with invalid usage location."
  { test: /invalid usage location/i, code: 'usageLocationMissing' },
  // "License assignment failed because service plans {a},{b} are mutually exclusive." / "... conflicts with service plan ..."
  {
    test: /are mutually exclusive|conflicts with service plan/i,
    code: 'mutuallyExclusiveViolation',
    params: (m) => ({ servicePlanIds: guids(m) }),
  },
  // "License assignment failed because service plan {a} depends on the service plan(s) {b}."
  { test: /depends on the service plan/i, code: 'dependencyViolation', params: (m) => ({ servicePlanIds: guids(m) }) },
  // "License {skuId} does not correspond to a valid company License."
  { test: /does not correspond to a valid company License/i, code: 'unknownSku', params: (m) => ({ skuId: guids(m)[0] }) },
  // "User license is inherited from group membership and cannot be removed directly from the user."
  { test: /inherited from (a )?group membership/i, code: 'inheritedFromGroup' },
];

/** Maps one assignLicense answer (top-level or inside $batch) that is not 2xx. */
export function mapLicenseError(status: number, body: unknown): GraphLicenseError {
  const error = (body as { error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } } })?.error;
  const graphCode = error?.code;
  const message = typeof error?.message === 'string' ? error.message : typeof body === 'string' ? body : '';
  const base = {
    httpStatus: status,
    ...(graphCode ? { graphCode } : {}),
    ...(error?.innerError?.['request-id'] ? { requestId: error.innerError['request-id'] } : {}),
  };
  if (status === 404 || graphCode === 'Request_ResourceNotFound') return { code: 'userNotFound', params: base };
  if (status === 403 || graphCode === 'Authorization_RequestDenied') return { code: 'permissionMissing', params: base };
  if (status === 429) return { code: 'throttled', params: base };
  if (status === 400) {
    for (const k of KNOWN) {
      if (k.test.test(message)) return { code: k.code, params: { ...base, ...(k.params?.(message) ?? {}) } };
    }
  }
  return { code: 'other', params: { ...base, message } };
}
