// Analysis processors hand records to pipelines of another signal (anomaly onsets into logs,
// logpattern counts into metrics) through a connector the graph builds between the processor
// and the pipelines of that signal listing the same id (src/service/plan.ts: hand-overs). In those
// pipelines the graph places the hand-over point itself, so a factory only builds the processor
// of its own signal; asked for another signal directly (tests, tools), it passes data on.
import type { Processor } from '../component/component.js';
import type { Consumer } from '../component/consumer.js';
import type { Signal, SignalData } from '../pdata/types.js';

export function withTwin<S extends Signal, P extends Signal>(
  signal: S,
  next: Consumer<SignalData[S]>,
  own: P,
  make: (next: Consumer<SignalData[P]>) => Processor<SignalData[P]>,
): Processor<SignalData[S]> {
  if ((signal as Signal) !== own)
    return { capabilities: { mutatesData: false }, consume: (d) => next.consume(d), start: async () => {}, shutdown: async () => {} };
  return make(next as unknown as Consumer<SignalData[P]>) as unknown as Processor<SignalData[S]>;
}
