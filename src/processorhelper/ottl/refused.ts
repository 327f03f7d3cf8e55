// Functions of the Collector's OTTL that telemd does not have, each with the reason and the
// nearest thing it has. A config naming one is refused at load with its position.
import type { Refusal } from './functions.js';

const LAMBDA: Refusal = { why: 'lambda functions are alpha in the Collector (feature gate ottl.functions.enableLambda)', instead: 'a where clause per item, or flatten/keep_matching_keys' };
const XML: Refusal = { why: 'XML functions are not implemented (no XML parser in telemd)', instead: 'ParseJSON or ExtractPatterns' };

export const REFUSED: Record<string, Refusal> = {
  All: LAMBDA, Any: LAMBDA, Filter: LAMBDA, Find: LAMBDA, MapEach: LAMBDA, MapKeys: LAMBDA, Reduce: LAMBDA, When: LAMBDA,
  ConvertAttributesToElementsXML: XML, ConvertTextToElementsXML: XML, GetXML: XML, InsertXML: XML, ParseSimplifiedXML: XML,
  ParseXML: XML, RemoveXML: XML,
  ExtractGrokPatterns: { why: 'grok pattern sets are not bundled', instead: 'ExtractPatterns with a regex of named groups' },
  UserAgent: { why: 'the uap-core user-agent database is not bundled', instead: 'ExtractPatterns on the user agent string' },
  CommunityID: { why: 'network flow hashing is not implemented', instead: 'SHA1(Concat([...], ":"))' },
  Murmur3Hash128: { why: 'only the 32-bit Murmur3 hash is implemented', instead: 'Murmur3Hash, or SHA256' },
  XXH3: { why: 'xxHash is not implemented', instead: 'FNV or SHA256' },
  XXH128: { why: 'xxHash is not implemented', instead: 'SHA256' },
  ParseSeverity: { why: 'not implemented', instead: 'set(log.severity_number, …) where …, or the stanza severity parser' },
  ProfileID: { why: 'telemd has no profiles signal' },
  ParseCEF: { why: 'not implemented', instead: 'ParseKeyValue or ExtractPatterns' },
  ParseCLF: { why: 'not implemented', instead: 'ExtractPatterns' },
  ParseELF: { why: 'not implemented', instead: 'ParseCSV or ExtractPatterns' },
  ParseLEEF: { why: 'not implemented', instead: 'ParseKeyValue' },
  set_semconv_span_name: { why: 'not implemented', instead: 'set(span.name, Concat([...], " "))' },
  extract_percentile_metric: { why: 'not implemented', instead: 'extract_sum_metric / extract_count_metric' },
  convert_exponential_histogram_to_histogram: { why: 'not implemented', instead: 'keep exponential histograms (the otlp exporters and prometheusremotewrite carry them)' },
  merge_histogram_buckets: { why: 'not implemented' },
  route: { why: 'route() is the routing connector\'s statement, not a transform editor', instead: 'the routing connector' },
};
