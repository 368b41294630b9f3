// How names compare: the directory's sort keys and filters, and the bot's name matching, fold alike.

/** Lower-case, accents folded: "Schäfer" sorts and matches as "schafer". */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
}
