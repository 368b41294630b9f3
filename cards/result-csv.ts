// A change's result as a CSV file an admin can hand on: a header and one line per user (user, UPN,
// outcome, assigned, removed, reason, fix), failures first as on the card, in the admin's language.
// RFC 4180 (CRLF, quoted where needed), with a UTF-8 byte order mark so Excel reads umlauts right.
// Cells that a spreadsheet would run as a formula (= + - @, tab, CR first) get a leading apostrophe:
// a display name like "=HYPERLINK(…)" comes from the customer's directory, not from us (OWASP, CSV injection).
import type { Customer } from '../domain/model';
import type { UserChangePlan } from '../domain/rules';
import type { Preview } from '../domain/service';
import { errorText, labels, type Lang } from './i18n';
import { orderedResults } from './results-cards';

/** The words of the file; kept here, beside the only code that uses them. */
const words: Record<Lang, { columns: [string, string, string, string, string, string, string]; plansChanged: string; file: string }> = {
  en: { columns: ['User', 'UPN', 'Outcome', 'Assigned', 'Removed', 'Reason', 'Fix'], plansChanged: 'service plans changed', file: 'licenses-updated' },
  de: { columns: ['Benutzer', 'UPN', 'Ergebnis', 'Zugewiesen', 'Entzogen', 'Grund', 'Lösung'], plansChanged: 'Servicepläne geändert', file: 'lizenzen-aktualisiert' },
};

export interface ResultCsvOptions {
  /** `,` by default (RFC 4180); `;` is what Excel expects where the decimal separator is a comma (de-DE). */
  separator?: ',' | ';';
}

/** A cell as written: guarded against formulas, quoted when it holds a quote, separator or line break. */
export function csvCell(value: string, separator: ',' | ';' = ','): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes('"') || safe.includes(separator) || /[\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function outcome(r: UserChangePlan, lang: Lang): string {
  const l = labels[lang];
  return r.status === 'failed' ? l.failedHeading : r.status === 'succeeded' ? l.succeededHeading : l.unchangedHeading;
}

/**
 * The CSV text of a result (or a preview): what happened to each user, and for a failure every reason
 * and its fix (sentences, one after the other). Only what was done is listed as assigned or removed.
 */
export function resultCsv(lang: Lang, input: { result: Pick<Preview, 'results'>; productName: (skuId: string) => string }, options: ResultCsvOptions = {}): string {
  const sep = options.separator ?? ',';
  const w = words[lang];
  const line = (cells: string[]) => cells.map((c) => csvCell(c, sep)).join(sep);
  const names = (ids: string[]) => ids.map(input.productName).join('; ');
  const lines = [line(w.columns)];
  for (const r of orderedResults(input.result.results)) {
    const done = r.status === 'succeeded';
    const texts = r.errors.map((e) => errorText(e, lang));
    const assigned = done ? [names(r.added), ...r.updated.map((id) => `${input.productName(id)} (${w.plansChanged})`)].filter(Boolean).join('; ') : '';
    lines.push(line([
      r.displayName,
      r.userPrincipalName,
      outcome(r, lang),
      assigned,
      done ? names(r.removed) : '',
      texts.map((t) => t.reason).join(' '),
      texts.map((t) => t.fix).join(' '),
    ]));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** A file name for the download: "licenses-updated-contoso-2026-12-01-1015.csv". */
export function resultCsvFileName(lang: Lang, customer: Pick<Customer, 'key'>, at: string): string {
  const stamp = new Date(at).toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  return `${words[lang].file}-${customer.key}-${stamp}.csv`;
}
