// One CSV row as ParseCSV reads it (Go's encoding/csv, one record): strict quoting,
// lazyQuotes (a quote may appear inside an unquoted field) or ignoreQuotes (plain split).

export function parseCsvRow(row: string, delim: string, mode: 'strict' | 'lazyQuotes' | 'ignoreQuotes'): string[] | string {
  if (mode === 'ignoreQuotes') return row.split(delim);
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (row[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= row.length) {
          if (mode === 'lazyQuotes') break;
          return 'extraneous or missing " in quoted field';
        }
        if (row[i] === '"') {
          if (row[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          if (i + 1 >= row.length || row[i + 1] === delim) {
            i++;
            break;
          }
          if (mode === 'lazyQuotes') {
            v += '"';
            i++;
            continue;
          }
          return `extraneous " in field at column ${i + 1}`;
        }
        v += row[i++];
      }
      out.push(v);
    } else {
      const j = row.indexOf(delim, i);
      const v = j < 0 ? row.slice(i) : row.slice(i, j);
      if (mode === 'strict' && v.includes('"')) return `bare " in non-quoted field "${v}"`;
      out.push(v);
      i = j < 0 ? row.length : j;
    }
    if (i >= row.length) break;
    i++; // the delimiter
    if (i >= row.length) {
      out.push('');
      break;
    }
  }
  return out;
}
