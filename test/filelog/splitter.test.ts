import { describe, expect, it } from 'vitest';
import { LineSplitter, type Encoding } from '../../receivers/filelog/splitter.js';

function split(input: Buffer, enc: Encoding = 'utf-8', max = 1024, chunk = 7): { lines: [string, number, boolean][]; partial: string[] } {
  const s = new LineSplitter(enc, max, 64 * 1024);
  const lines: [string, number, boolean][] = [];
  const sink = (t: string, e: number, tr: boolean) => void lines.push([t, e, tr]);
  for (let p = 0; p < input.length; p += chunk) {
    const w = s.writable();
    const part = input.subarray(p, Math.min(input.length, p + chunk, p + w.len));
    part.copy(w.buf, w.off);
    s.commit(part.length);
    p -= chunk - part.length;
    s.drain(sink, Infinity);
  }
  const partial: string[] = [];
  s.flushPartial((t) => void partial.push(t));
  return { lines, partial };
}

describe('LineSplitter', () => {
  it('splits \\n and \\r\\n, reports end offsets, keeps a partial last line', () => {
    const { lines, partial } = split(Buffer.from('a\r\nbb\n\nccc'));
    expect(lines).toEqual([
      ['a', 3, false],
      ['bb', 6, false],
      ['', 7, false],
    ]);
    expect(partial).toEqual(['ccc']);
  });

  it('truncates a line longer than max_log_size once and continues with the next line', () => {
    const long = 'x'.repeat(5000);
    const { lines } = split(Buffer.from(`${long}\nnext\n`), 'utf-8', 100, 333);
    expect(lines.map((l) => [l[0].length, l[2]])).toEqual([
      [100, true],
      [4, false],
    ]);
    expect(lines[1]![0]).toBe('next');
    expect(lines[1]![1]).toBe(long.length + 6);
  });

  it('turns invalid UTF-8 into U+FFFD without cutting the record', () => {
    const buf = Buffer.concat([Buffer.from('ok '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' end\n')]);
    const { lines } = split(buf);
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toBe('ok \ufffd\ufffd\ufffd end');
  });

  it('decodes latin1', () => {
    const { lines } = split(Buffer.from('caf\xe9 \xfc\n', 'latin1'), 'latin1');
    expect(lines[0]![0]).toBe('café ü');
  });

  it('splits UTF-16LE and UTF-16BE on whole code units', () => {
    const text = 'h\u0a0allo\r\nwörld\n';
    const le = Buffer.from(text, 'utf16le');
    expect(split(le, 'utf-16le', 1024, 3).lines.map((l) => l[0])).toEqual(['h\u0a0allo', 'wörld']);
    const be = Buffer.from(le).swap16();
    expect(split(be, 'utf-16be', 1024, 5).lines.map((l) => l[0])).toEqual(['h\u0a0allo', 'wörld']);
  });
});
