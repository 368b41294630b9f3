// Microsoft Graph as the source of truth for connected customers: the pieces the CustomerDirectory
// port is wired from. Codes and structured params only; words belong to cards/.
export { readGraphSettings, graphEnvSchema, type GraphSettings, type GraphSettingsResult, type WriteBudget, type GraphCredentialSetting } from './settings';
export { createTenantTokenSource, TOKEN_EXCHANGE_SCOPE, type TenantTokenSource, type CredentialOptions } from './credentials';
export { GraphConnectionError, mapTokenError, type GraphConnectionErrorCode, type GraphConnectionErrorParams } from './token-errors';
export { GraphPacer, systemClock, retryAfterMs, type Clock, type PacerBudget } from './pacing';
export { GraphTransport, type GraphRequest, type GraphResponse, type SendOutcome } from './transport';
export { runBatches, MAX_BATCH, type BatchItem, type BatchItemResult } from './batch';
export { GraphClient, type GraphClientOptions } from './graph-client';
export { assignLicenses, type LicenseChange, type LicenseWriteOutcome } from './license-writes';
export { mapLicenseError, type GraphLicenseError, type GraphLicenseErrorCode } from './license-errors';
export { decideFromReadBack, settleByReadBack, directLicenses, type ReadBackDecision } from './read-back';
export * from './graph-types';
export { listCustomerTenants, requireCustomer, type CustomerTenant } from './customers';
export { GraphDirectory, CustomerConnectionError, licenseChange, type GraphUserDoc, type GraphDirectoryOptions } from './graph-directory';
export { GraphMirror, SYNC_STATE_ID, type SyncStateDoc } from './mirror';
