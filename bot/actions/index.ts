import type { ActionTable } from './action';
import { clearSelection } from './clear-selection';
import { confirmSave } from './confirm-save';
import { customersPage } from './customers-page';
import { dropSelected } from './drop-selected';
import { manageLicenses } from './manage-licenses';
import { manageProductsPage } from './manage-products-page';
import { resultsPage } from './results-page';
import { refreshDirectory } from './refresh-directory';
import { retryFailed } from './retry-failed';
import { chooseChange } from './choose-change';
import { saveLicenses } from './save-licenses';
import { selectCustomer } from './select-customer';
import { selectMatching } from './select-matching';
import { selectPage } from './select-page';
import { selectedPage } from './selected-page';
import { servicePlansDone } from './service-plans-done';
import { showCustomers } from './show-customers';
import { showSelected } from './show-selected';
import { usersFilter } from './users-filter';
import { usersPage } from './users-page';
import { viewServicePlans } from './view-service-plans';
import { historyPage } from './history-page';
import { undoChange } from './undo-change';
import { confirmUndo } from './confirm-undo';
import { resumeChange } from './resume-change';

/** The handler of every verb a card can send: a verb of cards/verbs.ts without one, or an action under another verb's name, does not compile. */
export const cardActions = {
  showCustomers, customersPage, selectCustomer, usersPage, usersFilter, selectPage, selectMatching, clearSelection, showSelected, selectedPage,
  dropSelected, manageLicenses, manageProductsPage, viewServicePlans, servicePlansDone, saveLicenses, confirmSave, retryFailed, resultsPage, chooseChange,
  historyPage, undoChange, confirmUndo,
  refreshDirectory, resumeChange,
} satisfies ActionTable;
