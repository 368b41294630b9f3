// An RFC 4180 CSV reader (https://www.rfc-editor.org/rfc/rfc4180): comma-separated fields, fields in
// double quotes may hold commas, line breaks and quotes (written as two quotes). Also accepted, as
// spreadsheet exports write them: LF or CR alone as line breaks, a UTF-8 byte order mark, no line break
// at the end. One pass over the text; every character is looked at a bounded number of times.

export interface CsvRecord {
  /** The line (1-based) the record starts on; a quoted line break makes a record span lines. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, readonly detail: string) {
    super(`line ${line}: ${detail}`);
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/** Line breaks in text[from, to): CRLF, LF and a lone CR each count once. */
function lineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) count++;
  }
  return count;
}

/**
 * Splits CSV text into records. Blank lines are skipped. Throws CsvSyntaxError (with the line) for a
 * quoted field that is never closed, text after a closing quote, or a quote inside an unquoted field.
 */
export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const n = text.length;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quotedAny = false;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        quotedAny = true;
        const opened = line;
        const parts: string[] = [];
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) throw new CsvSyntaxError(opened, 'a quoted field is never closed (a missing closing quote)');
          parts.push(text.slice(from, q));
          line += lineBreaks(text, from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            parts.push('"');
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        const next = text.charCodeAt(i);
        if (i < n && next !== COMMA && next !== CR && next !== LF) {
          throw new CsvSyntaxError(line, 'text after a closing quote (a quote inside a quoted field is written as two quotes: "")');
        }
        fields.push(parts.join(''));
      } else {
        let j = i;
        for (; j < n; j++) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === CR || c === LF) break;
          if (c === QUOTE) throw new CsvSyntaxError(line, 'a quote inside a field that does not start with one (quote the whole field and double the quote)');
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        continue;
      }
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    if (fields.length > 1 || fields[0] !== '' || quotedAny) records.push({ line: start, fields });
  }
  return records;
}
