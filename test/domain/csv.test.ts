// The RFC 4180 reader: what spreadsheet exports really contain, and syntax errors with their line.
import fc from 'fast-check';
import { CsvSyntaxError, parseCsv } from '../../domain/csv';

const rows = (text: string) => parseCsv(text).map((r) => r.fields);
const lines = (text: string) => parseCsv(text).map((r) => r.line);

test('plain fields, with CRLF, LF or CR line breaks, with or without a last line break', () => {
  for (const br of ['\r\n', '\n', '\r']) {
    expect(rows(`a,b,c${br}1,2,3${br}`)).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
    expect(rows(`a,b,c${br}1,2,3`)).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
  }
});

test('a UTF-8 byte order mark is not part of the first header name', () => {
  expect(rows('\uFEFFDisplay name,Licenses\r\nKatharina Schäfer,Unlicensed\r\n')).toEqual([['Display name', 'Licenses'], ['Katharina Schäfer', 'Unlicensed']]);
});

test('quoted fields hold commas, doubled quotes and line breaks; later records keep their true line', () => {
  const text = 'name,title\r\n"O\'Brien, Kevin","Sales ""EMEA""\r\nLead"\r\nRachel Kim,"multi\nline\rtext"\r\nlast,one\r\n';
  expect(parseCsv(text)).toEqual([
    { line: 1, fields: ['name', 'title'] },
    { line: 2, fields: ["O'Brien, Kevin", 'Sales "EMEA"\r\nLead'] },
    { line: 4, fields: ['Rachel Kim', 'multi\nline\rtext'] },
    { line: 7, fields: ['last', 'one'] },
  ]);
});

test('empty fields, a trailing comma, an empty quoted field; blank lines are skipped', () => {
  expect(rows(',,\r\n\r\n"",x,\n\n')).toEqual([['', '', ''], ['', 'x', '']]);
  expect(lines('a\n\n\nb\n')).toEqual([1, 4]);
  expect(rows('')).toEqual([]);
  expect(rows('""')).toEqual([['']]);
});

test.each([
  ['a quoted field never closed', 'a,b\r\n1,"open\r\n2,3\r\n', 2, /never closed/],
  ['text after a closing quote', 'a,b\n"x"y,2\n', 2, /text after a closing quote/],
  ['a quote inside an unquoted field', 'a,b\nok,ok\r\n"multi\nline",Kevin "K" OBrien\n', 4, /quote inside a field/],
])('a syntax error says its line: %s', (_name, text, line, message) => {
  const error = (() => {
    try {
      parseCsv(text);
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(CsvSyntaxError);
  expect(error).toMatchObject({ line });
  expect((error as Error).message).toMatch(message);
});

test('whatever fields are written by the rules, they read back as written (property)', () => {
  const encode = (f: string) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);
  const field = fc.string({ unit: fc.constantFrom('a', 'ä', ',', '"', '\r', '\n', ' ', '=') });
  fc.assert(
    fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 8 }), fc.constantFrom('\r\n', '\n'), (table, br) => {
      expect(rows(table.map((r) => r.map(encode).join(',')).join(br) + br)).toEqual(table);
    }),
    { numRuns: 300, seed: 4180 },
  );
});

test('large and hostile inputs are read in one pass: 100,000 doubled quotes, a 2 MB field, 50,000 records', () => {
  // Each would take hours if any step re-scanned or re-copied what it had read (quadratic).
  expect(rows(`"${'""'.repeat(100_000)}"`)[0][0]).toHaveLength(100_000);
  expect(rows(`x,"${'a,\n'.repeat(700_000)}"`)[0][1]).toHaveLength(2_100_000);
  const many = parseCsv(Array.from({ length: 50_000 }, (_, i) => `user${i}@contoso.com,"a, b",${i}`).join('\r\n'));
  expect(many).toHaveLength(50_000);
  expect(many[49_999]).toEqual({ line: 50_000, fields: ['user49999@contoso.com', 'a, b', '49999'] });
});
