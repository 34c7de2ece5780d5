/**
 * A strict RFC 4180 reader for the tests of the CSV exports, written from the RFC and
 * independent of the library that writes them: records end with CRLF, a field is either
 * plain (no comma, quote, CR or LF) or quoted with quotes doubled inside. Anything else
 * throws, so a test fails on text that is not RFC 4180.
 */
export function parseRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const record: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote === -1) throw new Error('unterminated quoted field');
          field += text.slice(i, quote);
          i = quote + 1;
          if (text[i] !== '"') break;
          field += '"';
          i++;
        }
      } else {
        const from = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
          if (text[i] === '"' || text[i] === '\n') {
            throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
          }
          i++;
        }
        field = text.slice(from, i);
      }
      record.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text.startsWith('\r\n', i)) {
        i += 2;
        break;
      }
      throw new Error(`expected a comma or CRLF at ${i}, found ${JSON.stringify(text[i])}`);
    }
    records.push(record);
  }
  return records;
}

/** The records as objects keyed by the header's names. */
export function csvObjects(text: string): Array<Record<string, string>> {
  const [header = [], ...rows] = parseRfc4180(text);
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}
