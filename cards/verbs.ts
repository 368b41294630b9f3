// Every verb a card can send, in one place. Templates name a verb once (`"verb": "usersPage"`); `expand`
// copies it into the action's data (Action.Submit fallback). The bot registers exactly these: its action
// table is typed `{ [V in Verb]: … }`, so a verb without a handler does not compile, and
// test/cards/verbs.test.ts fails if a rendered card or a template names a verb not listed here.
export const VERBS = [
  'showCustomers',
  'customersPage',
  'selectCustomer',
  'usersPage',
  'usersFilter',
  'selectPage',
  'selectMatching',
  'clearSelection',
  'showSelected',
  'selectedPage',
  'dropSelected',
  'manageLicenses',
  'manageProductsPage',
  'viewServicePlans',
  'servicePlansDone',
  'saveLicenses',
  'confirmSave',
  'retryFailed',
  'resultsPage',
  'chooseChange',
  'historyPage',
  'undoChange',
  'confirmUndo',
  'refreshDirectory',
  'resumeChange',
] as const;

export type Verb = (typeof VERBS)[number];

export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && (VERBS as readonly string[]).includes(value);
}
