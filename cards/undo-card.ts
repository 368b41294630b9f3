// Undo's preview: who would be put back (and how), who cannot be and why, before anything is changed.
import undoTemplate from './templates/undo-preview.json';
import type { Customer } from '../domain/model';
import type { OperationResult, Preview } from '../domain/service';
import { labels, type Lang } from './i18n';
import { changeLines, problemLines, when, who } from './results-cards';
import { expand, type AdaptiveCard } from './render';

/** Users listed per section; the rest are counted (the card stays in budget for any size). */
const SHOWN_PER_SECTION = 10;

export function undoPreviewCard(
  lang: Lang,
  input: { customer: Customer; undone: OperationResult; undoneWhat: string; preview: Preview; cardId: string; productName: (skuId: string) => string },
): AdaptiveCard {
  const l = labels[lang];
  const { preview, undone } = input;
  const putBack = preview.results.filter((r) => r.status === 'succeeded');
  const cannot = preview.results.filter((r) => r.status === 'failed');
  const section = (heading: string, color: string, rows: typeof putBack, lines: (r: (typeof putBack)[number]) => string[]) =>
    rows.length
      ? {
          heading, color,
          entries: rows.slice(0, SHOWN_PER_SECTION).map((r) => ({ name: who(r), lines: lines(r) })),
          moreText: rows.length > SHOWN_PER_SECTION ? l.andMore(rows.length - SHOWN_PER_SECTION) : '',
        }
      : undefined;
  const footer = [preview.counts.noChange ? l.undoAlready(preview.counts.noChange) : '', putBack.length ? '' : l.undoNothing].filter(Boolean).join(' ');
  return expand(undoTemplate, {
    labels: l,
    customerLine: input.customer.displayName,
    undoLine: l.undoOf(input.undoneWhat, when(undone.createdAt), undone.requestedBy.displayName || undone.requestedBy.aadObjectId),
    seats: preview.seatDemand.map((d) => ({ title: d.displayName, value: `${d.needed} / ${d.available}` })),
    sections: [
      section(l.undoCannot(cannot.length), 'Attention', cannot, (r) => problemLines(r, lang)),
      section(l.undoPutBack(putBack.length), 'Good', putBack, (r) => changeLines(r, lang, input.productName)),
    ].filter(Boolean),
    footer,
    canSave: putBack.length > 0,
    operationId: undone.operationId,
    customerKey: undone.customerKey,
    cardId: input.cardId,
  });
}
