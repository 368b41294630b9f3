// Text → command, in English and German, case-insensitive, with the bot's @mention already removed.
import type { Lang } from '../../cards/i18n';

export type ParsedCommand =
  | { name: 'help' }
  | { name: 'customers' }
  | { name: 'use'; customer: string }
  | { name: 'users'; filter?: string }
  | { name: 'selected' }
  | { name: 'licenses' }
  | { name: 'history' }
  | { name: 'assign' | 'revoke'; products: string[]; users: 'selected' | string[] }
  /** "select <pasted list>": the selection becomes these users. */
  | { name: 'select'; users: string[] }
  | { name: 'unknown'; text: string };

export interface CommandParse {
  command: ParsedCommand;
  /** The language the command was typed in, when its keyword tells (German keywords → German). */
  lang?: Lang;
}

const SELECTED = /^(?:the\s+)?selected(?:\s+users)?$|^(?:die\s+|den\s+)?ausgew(?:ä|ae)hlten?(?:\s+benutzer(?:n)?)?$/i;

/** "A, B and C" → ["A", "B", "C"]; commas, semicolons, "and"/"und". */
export function splitList(text: string): string[] {
  return text
    .split(/\s*[,;]\s*|\s+(?:and|und|&)\s+/i)
    .map((s) => s.trim().replace(/^["'„“]|["'“”]$/g, '').trim())
    .filter(Boolean);
}

/**
 * Line breaks separate names like commas do: a list pasted one per line arrives as "\n" (or, from a
 * rich-text client, as <br> and paragraphs). Exact tags only: a pattern like /<p[^>]*>/ would rescan
 * the rest of the text from every "<p" of a hostile message.
 */
const LINE_BREAK = /\r\n|\r|\n|<br>|<br\/>|<br \/>|<\/p>|<\/div>/gi;
const BLOCK_START = /<p>|<div>/gi;

export function normalizeText(text: string): string {
  return withoutFinalPunctuation(
    text
      .replace(/<at>[^<]*<\/at>/gi, ' ')
      .replace(BLOCK_START, ' ')
      .replace(LINE_BREAK, ' ; ')
      .replace(/&nbsp;/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^@\S+\s+/, ''),
  );
}

/**
 * The text without its final "." and "!" — a loop, not /[.!]+$/: that pattern retries from every dot
 * of a long run of dots, and 80,000 of them took seconds of CPU (it grows with the square).
 */
function withoutFinalPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || text[end - 1] === '!')) end--;
  return text.slice(0, end);
}

const rules: { re: RegExp; lang?: Lang; build: (m: RegExpMatchArray) => ParsedCommand }[] = [
  { re: /^(?:help|\?|commands)$/i, lang: 'en', build: () => ({ name: 'help' }) },
  { re: /^(?:hilfe|befehle)$/i, lang: 'de', build: () => ({ name: 'help' }) },
  { re: /^(?:customers|tenants)$/i, lang: 'en', build: () => ({ name: 'customers' }) },
  { re: /^kunden$/i, lang: 'de', build: () => ({ name: 'customers' }) },
  { re: /^(?:use|customer|switch to)\s+(.+)$/i, lang: 'en', build: (m) => ({ name: 'use', customer: m[1] }) },
  { re: /^(?:kunde|verwende|verwenden|wechsle zu)\s+(.+)$/i, lang: 'de', build: (m) => ({ name: 'use', customer: m[1] }) },
  { re: /^users(?:\s+(.+))?$/i, lang: 'en', build: (m) => ({ name: 'users', filter: m[1] }) },
  { re: /^benutzer(?:\s+(.+))?$/i, lang: 'de', build: (m) => ({ name: 'users', filter: m[1] }) },
  { re: /^(?:selected|selection)(?:\s+users)?$/i, lang: 'en', build: () => ({ name: 'selected' }) },
  { re: /^(?:ausgew(?:ä|ae)hlt|auswahl)$/i, lang: 'de', build: () => ({ name: 'selected' }) },
  { re: /^(?:select|pick)\s+(.+)$/i, lang: 'en', build: (m) => ({ name: 'select', users: splitList(m[1]) }) },
  { re: /^(?:ausw(?:ä|ae)hlen|w(?:ä|ae)hle)\s+(.+)$/i, lang: 'de', build: (m) => ({ name: 'select', users: splitList(m[1]) }) },
  { re: /^(?:licen[cs]es|manage licen[cs]es)$/i, lang: 'en', build: () => ({ name: 'licenses' }) },
  { re: /^(?:lizenzen|lizenzen verwalten)$/i, lang: 'de', build: () => ({ name: 'licenses' }) },
  { re: /^history$/i, lang: 'en', build: () => ({ name: 'history' }) },
  { re: /^verlauf$/i, lang: 'de', build: () => ({ name: 'history' }) },
  { re: /^(?:assign|add|give)\s+(.+?)\s+to\s+(.+)$/i, lang: 'en', build: (m) => change('assign', m[1], m[2]) },
  { re: /^(?:zuweisen|weise)\s+(.+?)\s+(?:an|zu)\s+(.+?)(?:\s+zu)?$/i, lang: 'de', build: (m) => change('assign', m[1], m[2]) },
  { re: /^(?:revoke|remove|unassign|take)\s+(.+?)\s+from\s+(.+)$/i, lang: 'en', build: (m) => change('revoke', m[1], m[2]) },
  { re: /^(?:entziehen|entziehe|entfernen|entferne)\s+(.+?)\s+(?:von|bei)\s+(.+)$/i, lang: 'de', build: (m) => change('revoke', m[1], m[2]) },
];

function change(name: 'assign' | 'revoke', products: string, users: string): ParsedCommand {
  const target = withoutLeadingSeparators(users);
  return { name, products: splitList(products), users: SELECTED.test(target) ? 'selected' : splitList(target) };
}

/** "; A ; B" (a list that started on the next line) → "A ; B". */
function withoutLeadingSeparators(text: string): string {
  let start = 0;
  while (start < text.length && (text[start] === ';' || text[start] === ',' || text[start] === ' ')) start++;
  return text.slice(start).trim();
}

export function parseCommand(raw: string): CommandParse {
  const text = normalizeText(raw);
  for (const rule of rules) {
    const m = text.match(rule.re);
    if (m) return { command: rule.build(m), lang: rule.lang };
  }
  return { command: { name: 'unknown', text } };
}
