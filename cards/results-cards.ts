// Step 5 (preview before a change that will partly fail) and step 6 (Licenses updated).
import { randomUUID } from 'node:crypto';
import previewTemplate from './templates/preview.json';
import resultTemplate from './templates/result.json';
import historyTemplate from './templates/history.json';
import type { Customer } from '../domain/model';
import type { UserChangePlan } from '../domain/rules';
import type { HistoryAnchor, OperationResult, OperationSummary, Preview } from '../domain/service';
import type { LicenseErrorCode } from '../domain/errors';
import { errorText, labels, messages, type Lang } from './i18n';
import { clip, expand, nameList, type AdaptiveCard } from './render';

export const RESULTS_PER_PAGE = 15;
const PREVIEW_FAILURES_SHOWN = 10;
/** Problems listed per user; the rest are counted. Together with the clipping, keeps any page in budget. */
const PROBLEMS_PER_USER = 2;

type Namer = (skuId: string) => string;

export function problemLines(r: UserChangePlan, lang: Lang): string[] {
  const l = labels[lang];
  const lines = r.errors.slice(0, PROBLEMS_PER_USER).flatMap((e) => {
    const t = errorText(e, lang);
    return [clip(t.reason, 220), clip(`${l.fixPrefix} ${t.fix}`, 220)];
  });
  return r.errors.length > PROBLEMS_PER_USER ? [...lines, l.andMore(r.errors.length - PROBLEMS_PER_USER)] : lines;
}

export function changeLines(r: UserChangePlan, lang: Lang, name: Namer): string[] {
  const l = labels[lang];
  return [
    r.added.length ? `${l.assignedVerb}: ${r.added.map(name).join(', ')}` : '',
    r.removed.length ? `${l.revokedVerb}: ${r.removed.map(name).join(', ')}` : '',
    r.updated.length ? `${l.updatedVerb}: ${r.updated.map(name).join(', ')}` : '',
  ].filter(Boolean);
}

export const who = (r: Pick<UserChangePlan, 'displayName' | 'userPrincipalName'>) => (r.userPrincipalName ? `${r.displayName} (${r.userPrincipalName})` : r.displayName);

/** A moment as the cards show it: "2026-12-01 10:15 UTC". */
export const when = (iso: string) => `${new Date(iso).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

export function changeSummary(lang: Lang, assign: string[], remove: string[], users: number): string {
  const l = labels[lang];
  const parts = [assign.length ? `${l.assignedVerb}: ${assign.join(', ')}` : '', remove.length ? `${l.revokedVerb}: ${remove.join(', ')}` : ''].filter(Boolean);
  return `${parts.join(' · ')} → ${users} ${lang === 'de' ? 'Benutzer' : 'users'}`;
}

/** Failures counted per reason, most frequent first: "By reason: Not enough licenses 7,500 · …". */
export function reasonsLine(results: UserChangePlan[], lang: Lang): string {
  const counts = new Map<LicenseErrorCode, number>();
  for (const r of results) if (r.status === 'failed') for (const code of new Set(r.errors.map((e) => e.code))) counts.set(code, (counts.get(code) ?? 0) + 1);
  if (!counts.size) return '';
  const locale = lang === 'de' ? 'de-DE' : 'en-US';
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${messages[lang].errorNames[code]} ${n.toLocaleString(locale)}`);
  return labels[lang].byReason(parts.join(' · '));
}

export function previewCard(
  lang: Lang,
  input: { customer: Customer; preview: Preview; change: { assign: string[]; remove: string[] }; cardId: string; canSave: boolean },
): AdaptiveCard {
  const l = labels[lang];
  const { preview } = input;
  const failures = preview.results.filter((r) => r.status === 'failed');
  return expand(previewTemplate, {
    labels: l,
    customerLine: input.customer.displayName,
    changeLine: changeSummary(lang, input.change.assign, input.change.remove, preview.results.length),
    seats: preview.seatDemand.map((d) => ({ title: d.displayName, value: `${d.needed} / ${d.available}` })),
    intro: failures.length ? `${l.previewIntro(failures.length, preview.results.length)}\n\n${reasonsLine(failures, lang)}` : '',
    changedText: preview.changedOutside ? l.changedOutside(preview.changedOutside, preview.results.length) : '',
    failures: failures.slice(0, PREVIEW_FAILURES_SHOWN).map((r) => ({ name: who(r), problems: problemLines(r, lang) })),
    moreText: failures.length > PREVIEW_FAILURES_SHOWN ? l.andMore(failures.length - PREVIEW_FAILURES_SHOWN) : '',
    okText: l.previewOk(preview.counts.succeeded),
    cardId: input.cardId,
    canSave: input.canSave,
  });
}

/** Failures first, then successes, then the unchanged; counts first of all. */
export function orderedResults(results: UserChangePlan[]): UserChangePlan[] {
  const rank = { failed: 0, succeeded: 1, noChange: 2 } as const;
  return [...results].sort((a, b) => rank[a.status] - rank[b.status]);
}

export function resultCard(
  lang: Lang,
  input: { customer: Customer; result: OperationResult; page: number; productName: Namer; notice?: string; cardId?: string; downloadUrl?: string },
): AdaptiveCard {
  const l = labels[lang];
  const { result } = input;
  const ordered = orderedResults(result.results);
  const pageCount = Math.max(1, Math.ceil(ordered.length / RESULTS_PER_PAGE));
  const page = Math.min(Math.max(1, input.page), pageCount);
  const shown = ordered.slice((page - 1) * RESULTS_PER_PAGE, page * RESULTS_PER_PAGE);
  const section = (status: UserChangePlan['status'], heading: string, color: string) => {
    const entries = shown.filter((r) => r.status === status);
    return entries.length
      ? { heading: `${heading} (${result.counts[status]})`, color, entries: entries.map((r) => ({ name: who(r), lines: status === 'failed' ? problemLines(r, lang) : changeLines(r, lang, input.productName) })) }
      : undefined;
  };
  return expand(resultTemplate, {
    labels: l,
    customerLine: input.customer.displayName,
    countsText: l.resultCounts(result.counts.succeeded, result.counts.failed, result.counts.noChange),
    countsColor: result.counts.failed ? 'Attention' : 'Good',
    reasonsText: reasonsLine(result.results, lang),
    byText: l.by(result.requestedBy.displayName || result.requestedBy.aadObjectId, when(result.completedAt ?? result.createdAt)),
    replayedText: result.replayed ? l.replayed : '',
    notice: input.notice ?? '',
    cardId: input.cardId ?? randomUUID(),
    sections: [section('failed', l.failedHeading, 'Attention'), section('succeeded', l.succeededHeading, 'Good'), section('noChange', l.unchangedHeading, 'Default')].filter(Boolean),
    page,
    pageCount,
    pageText: l.resultPage(page, pageCount),
    failedCount: result.counts.failed,
    canUndo: result.status === 'completed' && result.counts.succeeded > 0,
    downloadUrl: input.downloadUrl ?? '',
    operationId: result.operationId,
    customerKey: result.customerKey,
  });
}

export function historyCard(
  lang: Lang,
  input: { customer: Customer; operations: OperationSummary[]; productName: Namer; older?: HistoryAnchor; isFirstPage?: boolean },
): AdaptiveCard {
  const l = labels[lang];
  return expand(historyTemplate, {
    labels: l,
    customerKey: input.customer.key,
    customerLine: input.customer.displayName,
    operations: input.operations.slice(0, 20).map((o) => {
      const what = changeSummary(lang, o.assigned.map(input.productName), o.removed.map(input.productName), o.userCount);
      return {
        operationId: o.operationId,
        what: clip(o.undoOf ? `${l.undoHistoryPrefix(when(o.undoOf.createdAt))}: ${what}` : what, 200),
        detail: `${when(o.createdAt)} · ${o.requestedBy?.displayName ?? ''} · ${o.status === 'running' ? l.running : l.historyLine(o.counts.succeeded, o.counts.failed, o.userCount)}`,
        canUndo: o.status === 'completed' && o.counts.succeeded > 0,
      };
    }),
    hasOlder: !!input.older,
    olderBefore: input.older?.before ?? '',
    olderShown: input.older?.shown.join(',') ?? '',
    showNewest: input.isFirstPage === false,
  });
}
