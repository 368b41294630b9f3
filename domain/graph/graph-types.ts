// Graph v1.0 resource shapes License Desk reads, with Graph's own field names.
// user: https://learn.microsoft.com/graph/api/resources/user
// licenseAssignmentState: https://learn.microsoft.com/graph/api/resources/licenseassignmentstate

export interface GraphAssignedLicense {
  skuId: string;
  disabledPlans: string[];
}

export interface GraphLicenseAssignmentState {
  skuId: string;
  disabledPlans: string[];
  /** The group the license comes from; null when assigned directly. */
  assignedByGroup: string | null;
  state: string | null;
  error: string | null;
}

export interface GraphUser {
  id: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  userPrincipalName?: string;
  mail?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  usageLocation?: string | null;
  country?: string | null;
  accountEnabled?: boolean | null;
  assignedLicenses?: GraphAssignedLicense[];
  licenseAssignmentStates?: GraphLicenseAssignmentState[];
  /** In a delta page: the user was deleted (or moved out of scope). */
  '@removed'?: { reason: string };
}

export interface GraphSubscribedSku {
  id: string;
  skuId: string;
  skuPartNumber: string;
  appliesTo: string;
  capabilityStatus: string;
  consumedUnits: number;
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut?: number };
  servicePlans: { servicePlanId: string; servicePlanName: string; provisioningStatus: string; appliesTo: string }[];
  [k: string]: unknown;
}

export interface GraphDelegatedAdminCustomer {
  id: string;
  tenantId: string;
  displayName: string;
}

export const USER_FIELDS = [
  'id', 'displayName', 'givenName', 'surname', 'userPrincipalName', 'mail', 'jobTitle', 'department',
  'usageLocation', 'country', 'accountEnabled', 'assignedLicenses', 'licenseAssignmentStates',
] as const;

/** Delta tracks the same fields but licenseAssignmentStates (fresh reads bring that before a write). */
export const DELTA_FIELDS = USER_FIELDS.filter((f) => f !== 'licenseAssignmentStates');

export class GraphReadError extends Error {
  override readonly name = 'GraphReadError';
  constructor(
    readonly code: 'readFailed' | 'deltaExpired' | 'nextLinkOffOrigin' | 'unknownOutcome',
    readonly params: { tenantId: string; httpStatus?: number; graphCode?: string; message?: string },
  ) {
    super(`${code} (tenant ${params.tenantId}${params.httpStatus ? `, HTTP ${params.httpStatus}` : ''})`);
  }
}
