import { parseRecord, resync, type RecordMeta } from './record.js';

export interface ScannedRecord extends RecordMeta {
  offset: number;
}

export interface Damage {
  offset: number;
  skippedBytes: number;
  /** torn_tail: nothing valid after it; corrupt_record: the scan resumed at a later record. */
  reason: 'torn_tail' | 'corrupt_record';
}

/**
 * Every valid record of one segment file, in order, and the damaged ranges in between. A
 * record whose seq does not follow `afterSeq` (a stale copy) counts as damage too.
 */
export function scanSegment(buf: Buffer, afterSeq: number): { records: ScannedRecord[]; damage: Damage[] } {
  const records: ScannedRecord[] = [];
  const damage: Damage[] = [];
  let last = afterSeq;
  let off = 0;
  while (off < buf.length) {
    const m = parseRecord(buf, off);
    if (m && m.seq > last) {
      records.push({ ...m, offset: off });
      last = m.seq;
      off += m.length;
      continue;
    }
    const next = resync(buf, off + 1);
    damage.push({
      offset: off,
      skippedBytes: (next === -1 ? buf.length : next) - off,
      reason: next === -1 ? 'torn_tail' : 'corrupt_record',
    });
    if (next === -1) break;
    off = next;
  }
  return { records, damage };
}
