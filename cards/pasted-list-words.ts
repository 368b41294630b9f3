// Words for pasted lists and "select all matching" (English, German). Kept apart from i18n.ts while it
// is being split into per-language message files; they move there as they are.
import type { Lang } from './i18n';

export interface PastedListWords {
  /** Count first, then the names (already joined and clipped). */
  notFound: (count: number, names: string) => string;
  ambiguous: (count: number, names: string) => string;
  andMore: (count: number) => string;
  noneFound: (count: number) => string;
  tooMany: (count: number, max: number) => string;
  selectedFromList: (count: number) => string;
  selectAllMatching: (count: number) => string;
  selectionByFilter: (count: number) => string;
}

export const pastedListWords: Record<Lang, PastedListWords> = {
  en: {
    notFound: (n, names) => `${n.toLocaleString('en-US')} not found: ${names}`,
    ambiguous: (n, names) => `${n.toLocaleString('en-US')} ambiguous (more than one user fits; paste the UPN): ${names}`,
    andMore: (n) => `and ${n.toLocaleString('en-US')} more`,
    noneFound: (n) => `None of the ${n.toLocaleString('en-US')} names matches exactly one user of this customer.`,
    tooMany: (n, max) => `${n.toLocaleString('en-US')} users found; at most ${max.toLocaleString('en-US')} can be changed at once.`,
    selectedFromList: (n) => `Selection set to ${n.toLocaleString('en-US')} users from your list.`,
    selectAllMatching: (n) => `Select all ${n.toLocaleString('en-US')} matching`,
    selectionByFilter: (n) => `${n.toLocaleString('en-US')} selected by filter`,
  },
  de: {
    notFound: (n, names) => `${n.toLocaleString('de-DE')} nicht gefunden: ${names}`,
    ambiguous: (n, names) => `${n.toLocaleString('de-DE')} nicht eindeutig (mehrere Benutzer passen; UPN einfügen): ${names}`,
    andMore: (n) => `und ${n.toLocaleString('de-DE')} weitere`,
    noneFound: (n) => `Keiner der ${n.toLocaleString('de-DE')} Namen passt zu genau einem Benutzer dieses Kunden.`,
    tooMany: (n, max) => `${n.toLocaleString('de-DE')} Benutzer gefunden; höchstens ${max.toLocaleString('de-DE')} können auf einmal geändert werden.`,
    selectedFromList: (n) => `Auswahl aus Ihrer Liste: ${n.toLocaleString('de-DE')} Benutzer.`,
    selectAllMatching: (n) => `Alle ${n.toLocaleString('de-DE')} Treffer auswählen`,
    selectionByFilter: (n) => `${n.toLocaleString('de-DE')} per Filter ausgewählt`,
  },
};
