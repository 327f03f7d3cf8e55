import { describe, expect, it } from 'vitest';
import { ConsumerError, consumerOf, type Consumer } from '../../src/component/consumer.js';
import { fanout } from '../../src/service/fanout.js';

type Batch = { n: number };
const ok = (): Consumer<Batch> => consumerOf(() => {});
const refuse = (err: unknown): Consumer<Batch> => consumerOf(() => Promise.reject(err));

async function refusal(c: Consumer<Batch>): Promise<ConsumerError> {
  const err = await c.consume({ n: 10 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConsumerError);
  return err as ConsumerError;
}

describe('fanout', () => {
  it('resolves when every branch accepts', async () => {
    await expect(fanout([ok(), ok()], true).consume({ n: 1 })).resolves.toBeUndefined();
  });

  it('keeps a partial permanent refusal (OTLP partial success) from one branch', async () => {
    const e = await refusal(fanout([ok(), refuse(ConsumerError.permanent('bad points', { rejectedItems: 3 }))], false));
    expect(e.kind).toBe('permanent');
    expect(e.rejectedItems).toBe(3);
  });

  it('takes the max of partial refusals over branches', async () => {
    const e = await refusal(
      fanout(
        [
          refuse(ConsumerError.permanent('a', { rejectedItems: 2 })),
          ok(),
          refuse(ConsumerError.permanent('b', { rejectedItems: 7 })),
        ],
        true,
      ),
    );
    expect(e.kind).toBe('permanent');
    expect(e.rejectedItems).toBe(7);
    expect(e.message).toBe('a; b');
  });

  it('a whole-batch permanent refusal (no count) stays whole', async () => {
    const e = await refusal(fanout([refuse(ConsumerError.permanent('a', { rejectedItems: 2 })), refuse(ConsumerError.permanent('all'))], false));
    expect(e.kind).toBe('permanent');
    expect(e.rejectedItems).toBeUndefined();
  });

  it('a retryable refusal wins and carries no partial count', async () => {
    const e = await refusal(
      fanout([refuse(ConsumerError.permanent('a', { rejectedItems: 2 })), refuse(ConsumerError.retryable('full', { retryAfterMs: 1500 }))], false),
    );
    expect(e.kind).toBe('retryable');
    expect(e.retryAfterMs).toBe(1500);
    expect(e.rejectedItems).toBeUndefined();
  });

  it('an unknown error counts as retryable', async () => {
    const e = await refusal(fanout([ok(), refuse(new Error('boom'))], false));
    expect(e.kind).toBe('retryable');
  });

  it('gives all but the last branch a copy when asked to', async () => {
    const seen: Batch[] = [];
    const rec = consumerOf<Batch>((b) => {
      seen.push(b);
    });
    const data = { n: 1 };
    await fanout([rec, rec, rec], true).consume(data);
    expect(seen[0]).not.toBe(data);
    expect(seen[1]).not.toBe(data);
    expect(seen[2]).toBe(data);
    expect(seen[0]).toEqual(data);
  });
});
