// Invokes License Desk does not handle (task modules, message extensions, sign-in, health checks,
// unknown names): each gets a 200 in the shape Teams expects for its name, saying so where Teams shows
// text, instead of botbuilder's 501, which Teams shows as an error ("Unable to reach app").
import { labels, type Lang } from '../cards/i18n';

export interface InvokeAnswer {
  status: number;
  body?: unknown;
}

/**
 * The answer to an invoke named `name` that the bot does not support.
 * - task/fetch, task/submit, composeExtension/fetchTask|submitAction: a task module "message" response
 *   (TaskModuleMessageResponse: `{ task: { type: 'message', value } }`), shown as a small popup.
 * - other composeExtension/*: a messaging extension result of type "message" (`{ composeExtension:
 *   { type: 'message', text } }`), shown in the message extension's flyout.
 * - application/search (Data.Query typeahead): an empty search response (Adaptive Card search invoke).
 * - healthCheck: Bot Framework's HealthCheckResponse, `{ healthResults: { success: true } }`.
 * - signin/*, and anything else (an empty name, future names): 200 without a body, the plain
 *   acknowledgement of an invoke.
 */
export function unsupportedInvokeAnswer(name: string | null | undefined, lang: Lang): InvokeAnswer {
  const text = labels[lang].notOfferedHere;
  const n = name ?? '';
  if (n === 'task/fetch' || n === 'task/submit' || n === 'composeExtension/fetchTask' || n === 'composeExtension/submitAction') {
    return { status: 200, body: { task: { type: 'message', value: text } } };
  }
  if (n.startsWith('composeExtension/')) return { status: 200, body: { composeExtension: { type: 'message', text } } };
  if (n === 'application/search') {
    return { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results: [] } } };
  }
  if (n === 'healthCheck') return { status: 200, body: { healthResults: { success: true, messages: ['Health check succeeded.'] } } };
  return { status: 200 };
}
