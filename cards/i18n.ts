// The language of a turn, and the words for it: cards/messages/en.ts and de.ts hold every label and
// every text of the domain's codes. German when the activity's locale (or the typed command) is German.
import type { LicenseError, NotAssignableWhy } from '../domain/errors';
import type { RequestError } from '../domain/errors';
import * as de from './messages/de';
import * as en from './messages/en';
import type { Labels } from './messages/en';

export type Lang = 'en' | 'de';
export type { Labels };

export function langOf(locale: string | undefined): Lang {
  return locale?.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** Each language's messages: labels, error texts, the reasons a product is not assignable, request problems. */
export const messages = { en, de } as const;

export const labels: Record<Lang, Labels> = { en: en.labels as unknown as Labels, de: de.labels };

export function errorText(error: LicenseError, lang: Lang): { reason: string; fix: string } {
  return messages[lang].errors[error.code](error.params);
}

export function whyNotAssignableText(why: NotAssignableWhy, lang: Lang): string {
  return messages[lang].whyNotAssignable[why];
}

export function requestProblemText(err: RequestError, lang: Lang): string {
  return messages[lang].requestProblems[err.problem](err.params);
}

/** What is missing for a customer tenant License Desk cannot reach, and how to fix it. */
export function connectionText(code: keyof typeof en.connectionProblems, params: { tenantId: string; aadsts?: string }, lang: Lang): { missing: string; fix: string } {
  return messages[lang].connectionProblems[code](params);
}

/** "2 minutes ago", from an ISO time. */
export function agoText(iso: string, lang: Lang, now = Date.now()): string {
  const l = labels[lang];
  const minutes = Math.floor((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return l.justNow;
  return minutes < 60 ? l.minutesAgo(minutes) : l.hoursAgo(Math.floor(minutes / 60));
}
