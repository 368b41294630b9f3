// Every English word License Desk shows: labels (Partner Center's wording) and the texts of the domain's
// error codes, from their structured parameters. cards/messages/de.ts has the same keys in German.
import type { GraphConnectionErrorCode } from '../../domain/graph/token-errors';
import type { ErrorParam, LicenseErrorCode, NotAssignableWhy, RequestProblem } from '../../domain/errors';

export const labels = {
  // Graph mode: how fresh the data is, licenses from groups, changes made outside License Desk.
  readFromM365: (ago: string) => `Read from Microsoft 365 ${ago}.`,
  justNow: 'just now',
  minutesAgo: (n: number) => (n === 1 ? '1 minute ago' : `${n} minutes ago`),
  hoursAgo: (n: number) => (n === 1 ? '1 hour ago' : `${n} hours ago`),
  refresh: 'Refresh',
  viaGroup: 'via group',
  changedOutside: (n: number, total: number) => `${n} of ${total} users had their licenses changed in Microsoft 365 since this card was shown (for example in the admin center). The check below uses what they hold now; nothing changed there is undone.`,
  connectionTitle: (customer: string) => `Cannot reach ${customer} in Microsoft 365`,
  connectionOthers: 'Your other customers are not affected.',
  // A Save that lost the customer's tenant on the way (consent removed, a secret expired).
  connectionNothingSaved: 'Nothing was changed by this Save. Once this is fixed, open Manage licenses and Save again.',
  connectionPaused: (done: number, total: number, succeeded: number, failed: number) =>
    `The change stopped after ${done} of ${total} users (${succeeded} changed, ${failed} failed). The other ${total - done} are waiting and are not counted as failed. Once this is fixed, Try again continues with them; a user already changed is recognised and never changed twice.`,
  tryAgain: 'Try again',
  resumed: (total: number) => `Continuing the change for ${total} users; the progress and the result follow as a new message.`,
  appName: 'License Desk',
  customersTitle: 'Customers',
  customersIntro: 'Pick the customer whose licenses you want to manage.',
  noCustomers: 'You may not manage any customer. Ask a partner admin to add you in partner.json.',
  pick: 'Open',
  usersTitle: 'Assign or revoke licenses to multiple users',
  customer: 'Customer',
  changeCustomer: 'Change customer',
  search: 'Name, user name or job title',
  department: 'Department',
  anyDepartment: 'Any department',
  license: 'License',
  anyLicense: 'Any license',
  unlicensed: 'Unlicensed',
  withoutLicense: (product: string) => `Without ${product}`,
  usageLocation: 'Usage location',
  anyLocation: 'Any usage location',
  noLocation: 'No usage location',
  accountStatus: 'Sign-in',
  anyStatus: 'Allowed or blocked',
  enabledOnly: 'Sign-in allowed',
  disabledOnly: 'Sign-in blocked',
  applyFilter: 'Apply filter',
  clearFilter: 'Clear filter',
  selectUsers: 'Select users',
  noUsers: 'No user matches this filter.',
  first: 'First',
  previous: 'Previous',
  next: 'Next',
  last: 'Last',
  pageOf: (page: number, pages: number, total: number) => `Page ${page} of ${pages} · ${total} users`,
  selectedCount: (n: number) => `${n} selected`,
  selectAllOnPage: 'Select all on this page',
  clearSelection: 'Clear selection',
  keepTicks: 'Update selection',
  selectedUsers: 'Selected users',
  manageLicenses: 'Manage licenses',
  drop: 'Remove',
  backToUsers: 'Back to users',
  noneSelected: 'No users selected yet. Tick users in the list first.',
  unlicensedUser: 'No licenses',
  disabledAccount: 'sign-in blocked',
  noUsageLocation: 'no usage location',
  availableLicenses: 'Available licenses',
  assigned: 'Assigned',
  holdAll: 'All selected users have it',
  holdSome: (n: number, of: number) => `${n} of ${of} selected users have it`,
  holdNone: 'None of the selected users has it',
  keepAsIs: 'Keep as is',
  assignToAll: 'Assign to all',
  removeFromAll: 'Remove from all',
  buyMore: 'Buy more',
  viewServicePlans: 'View service plans',
  moreProducts: 'More products',
  previousProducts: 'Previous products',
  productsPage: (from: number, to: number, total: number) => `Products ${from}–${to} of ${total}`,
  servicePlansTitle: (product: string) => `Service plans of ${product}`,
  servicePlansIntro: 'Untick the service plans to switch off for the users who get or keep this product.',
  done: 'Done',
  cancel: 'Cancel',
  save: 'Save',
  plansOff: (n: number) => `${n} service plans off`,
  notAssignable: (why: string) => `Not assignable: ${why}`,
  selectionTooLarge: (max: number) => `At most ${max} users can be selected at once.`,
  countsOnly: (n: number) => `More than ${n} users are selected: each product shows how many of them hold it, not who.`,
  byReason: (list: string) => `By reason: ${list}`,
  andMore: (n: number) => `and ${n} more`,
  previewTitle: 'Check before saving',
  previewIntro: (fail: number, total: number) => `${fail} of ${total} users would not get this change:`,
  previewOk: (ok: number) => `${ok} users would be updated.`,
  saveAnyway: 'Save anyway',
  back: 'Back',
  savingTitle: 'Saving license changes…',
  savingProgress: (done: number, total: number) => `${done} of ${total} users processed`,
  savingStarted: (total: number) => `Saving changes for ${total} users. The result follows as a new message.`,
  resultTitle: 'Licenses updated',
  resultCounts: (ok: number, failed: number, same: number) => `${ok} updated · ${failed} failed · ${same} unchanged`,
  failedHeading: 'Failed',
  succeededHeading: 'Updated',
  unchangedHeading: 'Unchanged',
  assignedVerb: 'Assigned',
  revokedVerb: 'Revoked',
  updatedVerb: 'Service plans changed',
  fixPrefix: 'Fix:',
  retryFailed: 'Retry failed',
  retryStarted: 'Retrying the failed users; the result follows as a new message.',
  resultPage: (page: number, pages: number) => `Results page ${page} of ${pages}`,
  replayed: 'This change had already been saved; nothing was changed again.',
  by: (who: string, when: string) => `By ${who}, ${when}`,
  historyTitle: 'Recent license changes',
  noHistory: 'No license changes yet for this customer.',
  historyLine: (ok: number, failed: number, users: number) => `${users} users: ${ok} updated, ${failed} failed`,
  running: 'running',
  open: 'Open',
  helpTitle: 'License Desk: what you can say',
  helpIntro: 'Text commands never change licenses by themselves: they open the Manage licenses card, and Save applies.',
  helpCommands: [
    ['customers', 'list your customers; `use Contoso` picks one'],
    ['users [filter]', 'page through users, tick the ones to change'],
    ['selected', 'the users you ticked'],
    ['licenses', 'manage licenses for the selected users'],
    ['assign Office 365 E3 to selected users', 'or `to Rachel Kim, jordan.miller@contoso.onmicrosoft.com`'],
    ['revoke Teams Phone from Jordan Miller', 'or `from selected users`'],
    ['history', 'recent changes for the customer'],
  ] as [string, string][],
  showCustomers: 'Show customers',
  pickCustomerFirst: 'Pick a customer first.',
  whichProduct: (q: string) => `Which product do you mean by "${q}"?`,
  whichUser: (q: string) => `Which user do you mean by "${q}"?`,
  whichCustomer: (q: string) => `Which customer do you mean by "${q}"?`,
  unknownProduct: (q: string) => `No product of this customer matches "${q}".`,
  unknownUser: (q: string) => `No user of this customer matches "${q}".`,
  unknownCustomer: (q: string) => `No customer of yours matches "${q}".`,
  didNotUnderstand: (t: string) => `I did not understand "${t}". Here is what I can do:`,
  accessDenied: 'Not allowed',
  readerCannotSave: (who: string) => `${who} can look at licenses but not change them (role: reader). Ask a license admin.`,
  outOfScope: (who: string, customer: string) => `${who} may not manage ${customer}.`,
  notAnAdmin: (partner: string) => `You are not one of ${partner}'s admins.`,
  badInput: 'That did not work',
  unknownAction: (verb: string) => `Unknown action "${verb}".`,
  staleCard: 'This card is out of date. Here is the current state.',
  nothingToSave: 'Nothing to save: no product was changed.',
  stillRunning: 'The change is still being saved; the result follows.',
  somethingWrong: 'Something went wrong on our side; nothing was changed by this click. Try again in a moment.',
  // Saving when the store or the process fails: what was done, what is pending, and that it goes on by itself.
  restarting: 'License Desk is restarting. Nothing was changed by this click; try again in a minute.',
  savingInterrupted: (done: number, total: number, succeeded: number, failed: number) =>
    `Saving was interrupted by a fault on our side after ${done} of ${total} users (${succeeded} changed, ${failed} failed). The rest is still pending and continues by itself within about a minute; the result will replace this message.`,
  savingUnconfirmed: 'Saving was interrupted by a fault on our side, and what was saved so far could not be read back. Whatever was saved stays saved, and the change continues by itself; the result will replace this message.',
  savingAfterRestart: (done: number, total: number) => `License Desk restarted while saving, after ${done} of ${total} users. The rest continues by itself in a moment; the result will replace this message.`,
  answeredAbove: 'This click is already being answered: see the message about it in this chat.',
  answerFollows: 'Still working on it: the answer follows as a new message.',
  selectionFromCommand: (n: number) => `Selection set to ${n} users from your command.`,
  /** A pasted list: count first, then the names (already joined and clipped). */
  notFound: (n: number, names: string) => `${n.toLocaleString('en-US')} not found: ${names}`,
  ambiguous: (n: number, names: string) => `${n.toLocaleString('en-US')} ambiguous (more than one user fits; paste the UPN): ${names}`,
  noneFound: (n: number) => `None of the ${n.toLocaleString('en-US')} names matches exactly one user of this customer.`,
  tooManyFound: (n: number, max: number) => `${n.toLocaleString('en-US')} users found; at most ${max.toLocaleString('en-US')} can be selected at once.`,
  selectedFromList: (n: number) => `Selection set to ${n.toLocaleString('en-US')} users from your list.`,
  selectAllMatching: (n: number) => `Select all ${n.toLocaleString('en-US')} matching`,
  checkingLarge: (n: number) => `Checking ${n} users before saving. The preview (if some would fail) or the progress and result follow as a new message.`,
  // Bad input at the envelope: an over-long message or filter, a Teams feature License Desk does not offer.
  messageTooLong: (n: number, max: number) => `That message has ${n} characters; I read at most ${max}. Send long lists of users in parts.`,
  filterTooLong: (n: number, max: number) => `That filter has ${n} characters; a filter has at most ${max}. Nothing was changed.`,
  notOfferedHere: 'License Desk does not offer this here. Type "help" in your chat with License Desk to see what it can do.',
  // Undo, history pages and the CSV download.
  undo: 'Undo',
  undoTitle: 'Undo this change?',
  undoOf: (what: string, when: string, who: string) => `Undo of: ${what} (${when}, by ${who})`,
  undoHistoryPrefix: (when: string) => `Undo of the change of ${when}`,
  undoPutBack: (n: number) => `Put back (${n})`,
  undoCannot: (n: number) => `Cannot be put back (${n})`,
  undoAlready: (n: number) => `${n} users already have their licenses from before; they stay as they are.`,
  undoNothing: 'Nobody can be put back: every user has been changed since, or cannot be for the reasons above.',
  undoSave: 'Undo now',
  checkingUndo: (n: number) => `Checking which of the ${n} users can be put back. The preview follows as a new message.`,
  undoStarted: 'Undoing the change; the progress and the result follow as new messages.',
  backToResult: 'Back to the result',
  olderChanges: 'Older changes',
  newestChanges: 'Newest changes',
  downloadCsv: 'Download CSV',
  linkRefused: 'This download link is not valid, has expired (links last an hour) or is not yours. Open the change again in License Desk (history → Open) for a new link.',
} as const;

/** The shape every language's labels have: the same keys, functions with the same parameters. */
export type Labels = { [K in keyof typeof labels]: (typeof labels)[K] extends (...a: infer A) => infer R ? (...a: A) => R : (typeof labels)[K] extends readonly unknown[] ? [string, string][] : string };

export type ErrorTexts = Record<LicenseErrorCode, (p: Record<string, ErrorParam>) => { reason: string; fix: string }>;

/** A list parameter in words: "A, B" or "A or B". */
export const joined = (v: ErrorParam | undefined, sep: string) => (Array.isArray(v) ? v.join(sep) : String(v ?? ''));

/** What a dependency needs: "MCOEV (in Teams Phone Standard)", "X or Y", "one of A, B". */
function requirement(p: Record<string, ErrorParam>): string {
  if (p.anyOfProducts) return `one of ${joined(p.anyOfProducts, ', ')}`;
  const plans = joined(p.anyOfPlans, ' or ');
  return Array.isArray(p.inProducts) && p.inProducts.length ? `${plans} (in ${joined(p.inProducts, ' or ')})` : plans;
}

export const whyNotAssignable: Record<NotAssignableWhy, string> = {
  appliesToCompany: 'applies to the whole company',
  suspended: 'subscription suspended',
  lockedOut: 'subscription locked out',
  deleted: 'subscription deleted',
};

export const errors: ErrorTexts = {
  countViolation: (p) => ({
    reason: `Not enough ${p.product} licenses: ${p.available} available, ${p.needed} needed.`,
    fix: `Buy more ${p.product} licenses, or remove ${p.product} from users who no longer need it.`,
  }),
  usageLocationMissing: () => ({
    reason: 'The user has no usage location, so no license can be assigned.',
    fix: "Set the user's usage location (country) in the Microsoft 365 admin center, then retry.",
  }),
  prohibitedInUsageLocation: (p) => ({
    reason: `${p.product} is not sold in the user's usage location (${p.usageLocation}).`,
    fix: `Assign ${p.product} only to users whose usage location is one of ${joined(p.allowed, ', ')}, or correct the user's usage location.`,
  }),
  mutuallyExclusiveViolation: (p) => ({
    reason: `Service plans ${p.planA} (${p.productA}) and ${p.planB} (${p.productB}) cannot be enabled together.`,
    fix: `Switch off ${p.planB} in ${p.productB} (View service plans), or remove ${p.productB}.`,
  }),
  dependencyViolation: (p) =>
    p.direction === 'needs'
      ? {
          reason: `${p.product} needs ${requirement(p)}, which the user does not have.`,
          fix: `Assign ${requirement(p)} first, or together with ${p.product}.`,
        }
      : {
          reason: `${p.dependent} still depends on ${requirement(p)}, which this change takes away.`,
          fix: `Remove ${p.dependent} first, or in the same change.`,
        },
  unknownSku: (p) => ({
    reason: `The customer has no product with id ${p.skuId}.`,
    fix: 'Pick a product from the customer\'s list ("licenses").',
  }),
  notAssignable: (p) => ({
    reason: `${p.product} cannot be assigned to users (${whyNotAssignable[p.why as NotAssignableWhy] ?? p.why}).`,
    fix: p.why === 'appliesToCompany' ? `${p.product} is tenant-wide; nothing to assign.` : `Renew or reactivate the ${p.product} subscription, then retry.`,
  }),
  invalidDisabledPlans: (p) => ({
    reason: `Service plan ${p.plan} is not part of ${p.product}.`,
    fix: `Choose service plans to switch off from those of ${p.product} only.`,
  }),
  userNotFound: (p) => ({
    reason: `No user with id ${p.userId} in this customer.`,
    fix: 'Pick the user again from the list; they may have been deleted.',
  }),
  concurrentChange: () => ({
    reason: "The user's licenses were changed by someone else while this change was being saved.",
    fix: 'Retry the failed users; the new state will be checked again.',
  }),
  changedSinceUndoneChange: (p) => ({
    reason: `The user's licenses were changed after this change${p.changedAt ? ` (last on ${p.changedAt} in License Desk)` : ''}: ${sinceText(p, { assigned: 'assigned since', removed: 'removed since', plans: 'service plans changed since', none: 'changed outside License Desk' })}. Putting them back would undo that too, so they were left as they are.`,
    fix: 'Check the user\'s licenses now and change them in Manage licenses, or undo the later change first.',
  }),
  inheritedFromGroup: (p) => ({
    reason: `${p.product} comes to this user through a group${joined(p.groups, ', ') ? ` (${joined(p.groups, ', ')})` : ''}, so it cannot be removed from the user directly.`,
    fix: `Remove the user from that group, or remove ${p.product} from the group, in the Microsoft 365 admin center or Entra ID.`,
  }),
  permissionMissing: () => ({
    reason: "License Desk's app may not change licenses in this customer's tenant.",
    fix: 'Grant the app LicenseAssignment.ReadWrite.All with admin consent, or give it the License Administrator role through GDAP.',
  }),
  other: (p) => ({
    reason: `Microsoft 365 refused this change: ${p.message}`,
    fix: 'Fix what Microsoft 365 names for this user in the admin center, then retry the failed users.',
  }),
};

/** What changed on a user since an undone change: "Teams Phone assigned since; Visio removed since". */
export function sinceText(p: Record<string, ErrorParam>, w: { assigned: string; removed: string; plans: string; none: string }): string {
  const parts = [
    Array.isArray(p.assignedSince) && p.assignedSince.length ? `${joined(p.assignedSince, ', ')} ${w.assigned}` : '',
    Array.isArray(p.removedSince) && p.removedSince.length ? `${joined(p.removedSince, ', ')} ${w.removed}` : '',
    Array.isArray(p.plansChangedSince) && p.plansChangedSince.length ? `${joined(p.plansChangedSince, ', ')}: ${w.plans}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : w.none;
}

export const requestProblems: Record<RequestProblem, (p: Record<string, string | number>) => string> = {
  noSuchCustomer: (p) => `No customer "${p.customerKey}".`,
  noSuchOperation: (p) => `No license change ${p.operationId}.`,
  invalidChange: (p) => `The license change is not valid: ${p.details}`,
  tooManyUsers: (p) => `At most ${p.max} users per change; split it.`,
  nothingToRemove: () => 'Nothing to remove: name at least one product.',
  nothingToChange: () => 'Nothing to change: name at least one product.',
  assignedAndRemoved: (p) => `Product ${p.skuId} is both assigned and removed.`,
  nothingToUndo: () => 'Nothing to undo: this change did not change any user.',
  undoWhileRunning: () => 'This change is still being saved; undo it once its result is in.',
  undoTooLarge: (p) => `This change touched ${p.users} users with too many different license combinations to undo in one go.`,
};

/** A customer tenant License Desk cannot get a token for (or read): what is missing, and the fix. */
export const connectionProblems: Record<GraphConnectionErrorCode | 'graphUnavailable', (p: { tenantId: string; aadsts?: string }) => { missing: string; fix: string }> = {
  consentMissing: (p) => ({
    missing: `License Desk's app is not consented in this tenant (${p.tenantId}${p.aadsts ? `, AADSTS${p.aadsts}` : ''}).`,
    fix: "A Global Administrator of the customer grants admin consent to the app (the README's consent link), or the customer is reached through a GDAP relationship with the License Administrator role.",
  }),
  gdapRelationshipMissing: (p) => ({
    missing: `The partner has no active GDAP relationship with this customer (${p.tenantId}), or it has expired.`,
    fix: 'Create or renew the GDAP relationship in Partner Center with the License Administrator and User Administrator roles, then refresh.',
  }),
  invalidClientSecret: () => ({
    missing: "The app's client secret (GRAPH_CLIENT_SECRET) is wrong or expired.",
    fix: 'Create a new client secret on the app registration and set it in GRAPH_CLIENT_SECRET, then restart License Desk.',
  }),
  invalidClientCertificate: () => ({
    missing: "The app's certificate (GRAPH_CLIENT_CERTIFICATE_PATH) is not the one registered on the app.",
    fix: 'Upload the certificate to the app registration (Certificates & secrets), or point GRAPH_CLIENT_CERTIFICATE_PATH at the registered one.',
  }),
  federationFailed: () => ({
    missing: 'The managed identity (GRAPH_FEDERATED_IDENTITY_CLIENT_ID) is not accepted as a federated credential of the app.',
    fix: "Add a federated credential for the managed identity on the app registration (issuer, subject = the identity's object id, audience api://AzureADTokenExchange).",
  }),
  tenantNotFound: (p) => ({
    missing: `No Microsoft 365 tenant has the id ${p.tenantId}.`,
    fix: "Correct the customer's tenantId in partner.json.",
  }),
  applicationDisabled: () => ({
    missing: "License Desk's app is disabled in this tenant.",
    fix: "The customer's administrator enables the app under Enterprise applications (Enabled for users to sign-in).",
  }),
  accessBlocked: () => ({
    missing: "A Conditional Access policy in this tenant blocks License Desk's app.",
    fix: "The customer's administrator excludes the app's service principal from that policy.",
  }),
  permissionMissing: () => ({
    missing: 'The app lacks a Microsoft Graph permission in this tenant (User.Read.All, LicenseAssignment.ReadWrite.All).',
    fix: 'Grant the missing application permissions with admin consent again.',
  }),
  tokenRejected: () => ({
    missing: "Microsoft Graph refused License Desk's token for this tenant.",
    fix: 'Check GRAPH_ENDPOINT matches the cloud of the tenant, then retry.',
  }),
  identityUnavailable: () => ({
    missing: 'The Microsoft identity platform could not be reached.',
    fix: 'Try again in a few minutes; check AZURE_AUTHORITY_HOST and the network.',
  }),
  graphUnavailable: () => ({
    missing: 'Microsoft Graph did not answer for this tenant.',
    fix: 'Try again in a few minutes; nothing was changed.',
  }),
};

/** Each rule's code in two or three words, for counts per reason ("By reason: Not enough licenses 7,500"). */
export const errorNames: Record<LicenseErrorCode, string> = {
  countViolation: 'Not enough licenses',
  usageLocationMissing: 'No usage location',
  prohibitedInUsageLocation: 'Not allowed in the usage location',
  mutuallyExclusiveViolation: 'Conflicting plans',
  dependencyViolation: 'Missing dependency',
  unknownSku: 'Unknown product',
  notAssignable: 'Not assignable',
  invalidDisabledPlans: 'Invalid service plans',
  userNotFound: 'User not found',
  concurrentChange: 'Changed meanwhile',
  changedSinceUndoneChange: 'Changed since',
  inheritedFromGroup: 'Via group',
  permissionMissing: 'Permission missing',
  other: 'Other',
};
