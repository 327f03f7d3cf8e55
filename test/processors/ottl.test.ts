// OTTL as the Collector's pkg/ottl documents it: grammar, converters, editors, time, errors.
import { describe, expect, it } from 'vitest';
import { compileCondition, compileStatement, type EvalContext } from '../../src/processorhelper/expr-eval.js';
import type { AnyValue, KvList } from '../../src/pdata/types.js';
import { log, span } from './helpers.js';

const ctx = (attributes: KvList = {}, body: AnyValue = 'hello "world"'): EvalContext => ({
  resource: { attributes: { 'service.name': 'api', tags: ['a', 'b'] } },
  scope: { name: 'lib', version: '2' },
  log: log('', attributes, { body, timeUnixNano: 1_700_000_000_123_456_789n }),
});

/** The value of an expression, read back through cache (how a statement sees it). */
function val(expr: string, c = ctx()): unknown {
  compileStatement('log', `set(cache["r"], ${expr})`)(c);
  return c.cache?.r;
}
function run(statement: string, c = ctx()): EvalContext {
  compileStatement('log', statement)(c);
  return c;
}

describe('OTTL grammar', () => {
  it('reads math (int and double apart, * / before + -), lists, maps, bytes and named arguments', () => {
    expect(val('1 + 2 * 3')).toBe(7n);
    expect(val('(1 + 2) * 3')).toBe(9n);
    expect(val('7 / 2')).toBe(3n);
    expect(val('7.0 / 2.0')).toBe(3.5);
    expect(val('10 - 4 - 3')).toBe(3n);
    expect(val('-.5 + 1.0')).toBe(0.5);
    expect(val('[1, "a", true]')).toEqual([1n, 'a', true]);
    expect(val('{"a": {"b": 2}, "c": [1]}')).toEqual({ a: { b: 2n }, c: [1n] });
    expect(val('0x0102')).toEqual(Uint8Array.from([1, 2]));
    expect(val('Split("a,b,c", ",")[1]')).toBe('b');
    expect(val('ParseJSON("{\\"x\\": {\\"y\\": 3}}")["x"]["y"]')).toBe(3);
    expect(val('Substring(start = 1, length = 2, target = "abcd")')).toBe('bc');
    // Context prefixes (0.120+) and the older unprefixed paths name the same fields.
    expect(val('log.time_unix_nano == time_unix_nano and resource.attributes["tags"][1] == "b"')).toBe(true);
    expect(val('resource.attributes[Concat(["service", "name"], ".")]')).toBe('api');
  });

  it('compares by the Collector rules', () => {
    const t = (s: string) => compileCondition('log', s)(ctx({ i: 5n, d: 5.5, s: 'abc', m: { a: 1n }, l: [1n, 2n] }));
    expect(t('attributes["i"] == 5.0 and attributes["i"] < attributes["d"]')).toBe(true);
    expect(t('attributes["s"] != 5 and not (attributes["s"] == 5)')).toBe(true);
    expect(t('attributes["m"] == {"a": 1} and attributes["l"] == [1, 2]')).toBe(true);
    expect(t('attributes["m"] > {"a": 0}')).toBe(false);
    expect(t('false < true and nil == attributes["none"]')).toBe(true);
    expect(t('Duration("1m") > Duration("59s") and Now() > log.time')).toBe(true);
  });

  it('refuses with a column: unknown paths and functions, wrong arguments, lambdas, mixed up kinds', () => {
    expect(() => compileStatement('log', 'set(attributes["a"], Lenn(body))')).toThrow(/unknown converter Lenn\(\); did you mean "Len"\? \(at column 22\)/);
    expect(() => compileStatement('log', 'sett(attributes["a"], 1)')).toThrow(/unknown editor sett\(\); did you mean "set"\?/);
    expect(() => compileStatement('log', 'set(span.name, "x")')).toThrow(/"span" paths are not available in log context/);
    expect(() => compileStatement('log', 'set(attributes["a"], Substring(body, 1))')).toThrow(/Substring\(\) needs its "length" argument/);
    expect(() => compileStatement('log', 'set(attributes["a"], Split(body, delimeter = ","))')).toThrow(/Split\(\) has no argument "delimeter"; did you mean "delimiter"\?/);
    expect(() => compileStatement('log', 'set(attributes["a"], IsMatch(body, attributes["p"]))')).toThrow(/IsMatch\(\): pattern: must be a literal string/);
    expect(() => compileStatement('log', 'set(attributes["a"], Filter(attributes, (k, v) => true))')).toThrow(/lambda/);
    expect(() => compileStatement('log', 'Len(body)')).toThrow(/Len\(\) is a converter; a statement starts with an editor/);
    expect(() => compileStatement('log', 'set(attributes["a"], set(body, 1))')).toThrow(/set\(\) is an editor/);
    expect(() => compileStatement('log', 'set(attributes["a"], IsMatch(body, "(?<=x)a"))')).toThrow(/invalid regexp/);
    expect(() => compileStatement('log', 'set(attributes["a"], 1) where attributes["x"]')).toThrow(/a path is not a condition/);
    expect(() => compileStatement('log', 'convert_sum_to_gauge()')).toThrow(/unknown editor/);
    expect(() => compileStatement('log', 'set(attributes["a"], ParseXML(body))')).toThrow(/ParseXML\(\) is not supported by telemd/);
  });
});

describe('OTTL converters', () => {
  it('type conversions and checks', () => {
    expect([val('Int("42")'), val('Int(5.9)'), val('Int(-5.9)'), val('Int(true)'), val('Int("4.2")')]).toEqual([42n, 5n, -5n, 1n, undefined]);
    expect([val('Double("2.5")'), val('Double(3)'), val('Double("x")')]).toEqual([2.5, 3, undefined]);
    expect([val('Bool("T")'), val('Bool(0)'), val('Bool("yes")')]).toEqual([true, false, undefined]);
    expect([val('String(1.5)'), val('String(0x0a0b)'), val('String([1, "a"])'), val('String({"k": true})'), val('String(nil)')]).toEqual(['1.5', '0a0b', '[1,"a"]', '{"k":true}', undefined]);
    expect(val('[IsString("a"), IsInt(1), IsDouble(1.0), IsBool(false), IsMap({}), IsList([]), IsEmpty(""), IsEmpty([0]), IsEmpty(nil)]')).toEqual([true, true, true, true, true, true, true, false, true]);
    expect([val('Len("héllo")'), val('Len([1,2])'), val('Len({"a":1})')]).toEqual([6n, 2n, 1n]);
  });

  it('strings', () => {
    expect(val('Concat(["a", 1, 2.5, true, nil], "-")')).toBe('a-1-2.5-true-<nil>');
    expect(val('ConvertCase("myMetricName", "snake")')).toBe('my_metric_name');
    expect(val('ConvertCase("my_metric_name", "camel")')).toBe('MyMetricName');
    expect([val('ToSnakeCase("HTTPServerDuration")'), val('ToCamelCase("http_server")'), val('ToUpperCase("a")'), val('ToLowerCase("A")')]).toEqual(['http_server_duration', 'HttpServer', 'A', 'a']);
    expect(val('Split("a b", " ")')).toEqual(['a', 'b']);
    expect(val('Substring("一二三", 0, 4, true)')).toBe('一');
    expect(val('Trim("!!this!!", "!")')).toBe('this');
    expect([val('TrimPrefix("ingest_svc", "ingest_")'), val('TrimSuffix("svc_x", "_x")'), val('HasPrefix("abc", "ab")'), val('HasSuffix("abc", "bc")')]).toEqual(['svc', 'svc', true, true]);
    expect(val('Index("hello world", "world")')).toBe(6n);
    expect(val('Index(["x", 2, "y"], 2)')).toBe(1n);
    expect(val('ContainsValue(["GET", "PUT"], "PUT")')).toBe(true);
    expect(val('Format("%s/%04d-%02d %.2f %v %x", ["h", 2024, 3, 1.5, true, 255])')).toBe('h/2024-03 1.50 true ff');
    expect(val('Format("%d", ["x"])')).toBe('%!d(string=x)');
    expect(val('ToKeyValueString({"b": "2", "a": "x=y"}, "=", " ", true)')).toBe('a="x=y" b=2');
    expect(val('Coalesce([attributes["none"], "dflt"])')).toBe('dflt');
    expect(val('Sort([3, 1, 2], "desc")')).toEqual([3n, 2n, 1n]);
    expect(val('Sort(["b", 1, true])')).toEqual([1n, 'b', true]);
  });

  it('parsers and extractors', () => {
    expect(val('ParseJSON("{\\"a\\": 1, \\"b\\": [true, null]}")')).toEqual({ a: 1, b: [true, null] });
    expect(val('ParseKeyValue("k1=v1 k2=\\"v 2\\"")')).toEqual({ k1: 'v1', k2: 'v 2' });
    expect(val('ParseKeyValue("k1!v1_k2!v2", "!", "_")')).toEqual({ k1: 'v1', k2: 'v2' });
    expect(val('ParseCSV("999,Joe \\"J\\" Smith", "phone,name", mode = "lazyQuotes")')).toEqual({ phone: '999', name: 'Joe "J" Smith' });
    expect(val('ParseCSV("\\"a,b\\",c", "x,y")')).toEqual({ x: 'a,b', y: 'c' });
    expect(val('ExtractPatterns("GIT_SHA=abc123 x", "GIT_SHA=(?P<sha>\\\\w+)( (?P<rest>z))?")')).toEqual({ sha: 'abc123', rest: '' });
    expect(val('ParseInt("-0xFF", 0)')).toBe(-255n);
    expect(val('ParseInt("0b1111_0000", 0)')).toBe(240n);
    expect(val('ParseInt("AA", 16)')).toBe(170n);
    expect(val('URL("http://u:p@www.example.com:80/foo.gif?k=v#frag")')).toEqual({
      'url.original': 'http://u:p@www.example.com:80/foo.gif?k=v#frag', 'url.scheme': 'http', 'url.domain': 'www.example.com',
      'url.path': '/foo.gif', 'url.port': 80n, 'url.query': 'k=v', 'url.fragment': 'frag', 'url.user_info': 'u:p',
      'url.username': 'u', 'url.password': 'p', 'url.extension': 'gif',
    });
    expect(val('SliceToMap([{"name": "foo", "value": 2}, {"name": "bar", "value": 5}], ["name"], ["value"])')).toEqual({ foo: 2n, bar: 5n });
    expect(val('Keys({"a": 1, "b": 2})')).toEqual(['a', 'b']);
    expect(val('Values({"a": 1})')).toEqual([1n]);
  });

  it('hashes, ids and encodings (the digests of the Collector)', () => {
    expect(val('FNV("name")')).toBe(-4270347329889690746n);
    expect(String(val('SHA256("name")')).slice(0, 16)).toBe('82a3537ff0dbce7e');
    expect(String(val('MD5("name")')).slice(0, 12)).toBe('b068931cc450');
    expect(val('Murmur3Hash("hello")')).toBe('47fa8b24');
    expect(val('Hex(1.1)')).toBe('3ff199999999999a');
    expect(val('Hex(12)')).toBe('000000000000000c');
    expect(val('Base64Encode("test string", "base64-raw-url")')).toBe('dGVzdCBzdHJpbmc');
    expect(val('Decode("aGVsbG8gd29ybGQ=", "base64")')).toBe('hello world');
    expect(val('Base64Decode("aGVsbG8=")')).toBe('hello');
    expect(val('SpanID("0102030405060708")')).toEqual(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(val('IsInCIDR("10.1.2.3", ["192.168.0.0/16", "10.0.0.0/8"])')).toBe(true);
    expect(val('IsValidLuhn("17893729974")')).toBe(true);
    expect(val('Log(1.0)')).toBe(0);
    expect(String(val('UUID()'))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(String(val('UUIDv7()'))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
  });

  it('time and durations', () => {
    expect(val('UnixSeconds(Time("02/04/2023", "%m/%d/%Y"))')).toBe(1675468800n);
    expect(val('UnixNano(Time("2023-05-26 12:34:56.123456789", "%Y-%m-%d %H:%M:%S.%s"))')).toBe(1685104496123456789n);
    expect(val('UnixSeconds(Time("2012-11-01T22:08:41+0100", "%Y-%m-%dT%H:%M:%S%z"))')).toBe(1351804121n);
    expect(val('UnixSeconds(Time("2023-05-26 12:34:56", "%Y-%m-%d %H:%M:%S", "America/New_York"))')).toBe(1685118896n);
    expect(val('FormatTime(Time("02/04/2023", "%m/%d/%Y"), "%A %h %e %Y")')).toBe('Saturday Feb  4 2023');
    expect(val('FormatTime(log.time, "%Y-%m-%dT%H:%M:%S.%L")')).toBe('2023-11-14T22:13:20.123');
    expect(val('[Year(log.time), Month(log.time), Day(log.time), Hour(log.time), Minute(log.time), Second(log.time), Weekday(log.time)]')).toEqual([2023n, 11n, 14n, 22n, 13n, 20n, 2n]);
    expect(val('UnixMilli(TruncateTime(log.time, Duration("1h")))')).toBe(1699999200000n);
    expect(val('Seconds(Duration("1h30m")) + 0.5')).toBe(5400.5);
    expect(val('Milliseconds(Duration("1.5s"))')).toBe(1500n);
    expect(val('Nanoseconds(log.time - Unix(1700000000))')).toBe(123456789n);
    expect(val('UnixMicro(Unix(1, 500))')).toBe(1_000_000n);
    expect(val('Nanoseconds(Duration("3s") + Duration("1ms"))')).toBe(3_001_000_000n);
    expect(val('UnixSeconds(Now()) - 1700000000 > 0')).toBe(true);
    // cache is a pdata map, as in the Collector: times and durations do not go in.
    expect(() => val('Now()')).toThrow(/a time cannot be stored/);
    expect(() => val('Time("13/45/2023", "%m/%d/%Y")')).toThrow(/does not match|out of range/);
  });

  it('fails on an item with an error the error_mode decides about', () => {
    expect(() => val('ParseJSON("not json")')).toThrow(/ParseJSON: not JSON/);
    expect(() => val('Substring("abc", 2, 5)')).toThrow(/exceeds/);
    expect(() => val('1 + 1.0')).toThrow(/cannot compute int \+ double/);
    expect(() => val('1 / 0')).toThrow(/division by zero/);
    expect(() => val('Duration("soon")')).toThrow(/not a duration/);
    expect(() => compileCondition('log', 'Len(attributes["i"]) > 1')(ctx({ i: 1n }))).toThrow(/Len: expected a string, slice or map, got int/);
  });
});

describe('OTTL editors', () => {
  it('set copies maps, does nothing with nil, and sets nested and indexed keys', () => {
    const c = run('set(attributes["copy"], resource.attributes)');
    (c.log!.attributes.copy as KvList)['service.name'] = 'changed';
    expect(c.resource.attributes['service.name']).toBe('api');
    run('set(attributes["a"], attributes["nope"])', c);
    expect('a' in c.log!.attributes).toBe(false);
    run('set(attributes["n"]["x"]["y"], 1)', c);
    expect(c.log!.attributes.n).toEqual({ x: { y: 1n } });
    run('set(resource.attributes["tags"][0], "z")', c);
    expect(c.resource.attributes.tags).toEqual(['z', 'b']);
    run('set(log.body, {"k": "v"})', c);
    run('set(body["k2"], 2)', c);
    expect(c.log!.body).toEqual({ k: 'v', k2: 2n });
    run('set(severity_number, SEVERITY_NUMBER_ERROR) where IsMap(body) and body["k"] == "v"', c);
    expect(c.log!.severityNumber).toBe(17);
    run('set(log.time, Unix(10))', c);
    expect(c.log!.timeUnixNano).toBe(10_000_000_000n);
    run('set(log.trace_id.string, "0102030405060708090a0b0c0d0e0f10")', c);
    expect(Buffer.from(c.log!.traceId!).toString('hex')).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(() => run('set(attributes["t"], Now())', c)).toThrow(/a time cannot be stored in an attribute/);
  });

  it('map editors: delete_key, delete/keep_matching_keys, keep_keys, limit, merge_maps, flatten, stringify_all, truncate_all', () => {
    const a = (m: KvList, st: string) => run(st, ctx(m)).log!.attributes;
    expect(a({ a: 1n, pw: 'x' }, 'delete_key(attributes, "pw")')).toEqual({ a: 1n });
    expect(a({ 'db.password': 'x', User_Password: 'y', ok: 1n }, 'delete_matching_keys(attributes, "(?i).*password.*")')).toEqual({ ok: 1n });
    expect(a({ 'app.version': '1', other: 2n }, 'keep_matching_keys(attributes, "(?i).*version.*")')).toEqual({ 'app.version': '1' });
    expect(a({ a: 1n, b: 2n, c: 3n }, 'keep_keys(attributes, ["a", "c"])')).toEqual({ a: 1n, c: 3n });
    expect(a({ a: 1n, b: 2n, c: 3n, d: 4n }, 'limit(attributes, 2, ["c"])')).toEqual({ a: 1n, c: 3n });
    expect(a({ a: 1n, b: 2n }, 'merge_maps(attributes, {"b": 9, "c": 3}, "insert")')).toEqual({ a: 1n, b: 2n, c: 3n });
    expect(a({ a: 1n, b: 2n }, 'merge_maps(attributes, {"b": 9, "c": 3}, "update")')).toEqual({ a: 1n, b: 9n });
    expect(a({ a: 1n }, 'merge_maps(attributes, ParseJSON("{\\"a\\":2,\\"z\\":1}"), "upsert")')).toEqual({ a: 2, z: 1 });
    const nested = { name: 'test', address: { street: 'first', house: 1234n }, occupants: ['user 1', 'user 2'] };
    expect(a(structuredClone(nested), 'flatten(attributes)')).toEqual({ name: 'test', 'address.street': 'first', 'address.house': 1234n, 'occupants.0': 'user 1', 'occupants.1': 'user 2' });
    expect(a(structuredClone(nested), 'flatten(attributes, "app", depth = 1)')).toEqual({ 'app.name': 'test', 'app.address.street': 'first', 'app.address.house': 1234n, 'app.occupants.0': 'user 1', 'app.occupants.1': 'user 2' });
    expect(a({ '0': { '1': { '2': { '3': 'v' } } } }, 'flatten(attributes, depth = 2)')).toEqual({ '0.1.2': { '3': 'v' } });
    expect(a({ a: { b: 'x' }, 'a.b': 'y', l: ['p', 'q'] }, 'flatten(attributes, resolveConflicts = true)'.replace('resolveConflicts', 'resolve_conflicts'))).toEqual({ 'a.b': 'x', 'a.b.0': 'y', l: 'p', 'l.0': 'q' });
    expect(a({ i: 1n, d: 2.5, b: true, m: { x: 1n }, s: 's' }, 'stringify_all(attributes)')).toEqual({ i: '1', d: '2.5', b: 'true', m: '{"x":1}', s: 's' });
    expect(a({ s: 'abcdefgh', u: 'héllo', n: 5n }, 'truncate_all(attributes, 5, truncation_marker = "~")')).toEqual({ s: 'abcd~', u: 'hél~', n: 5n });
    expect(a({ u: 'héllo' }, 'truncate_all(attributes, 2)')).toEqual({ u: 'h' });
    expect(a({ u: 'héllo' }, 'truncate_all(attributes, 2, false)').u).not.toBe('h');
  });

  it('slice editors: append, delete_index', () => {
    const a = (m: KvList, st: string) => run(st, ctx(m)).log!.attributes;
    expect(a({ tags: ['x'] }, 'append(attributes["tags"], "prod")')).toEqual({ tags: ['x', 'prod'] });
    expect(a({ tags: 'one' }, 'append(attributes["tags"], values = ["a", "b"])')).toEqual({ tags: ['one', 'a', 'b'] });
    expect(a({}, 'append(attributes["new"], 1)')).toEqual({ new: [1n] });
    expect(a({ t: ['a', 'b', 'c', 'd'] }, 'delete_index(attributes["t"], 0, 2)')).toEqual({ t: ['c', 'd'] });
    expect(a({ t: ['a', 'b', 'c'] }, 'delete_index(attributes["t"], Len(attributes["t"]) - 1)')).toEqual({ t: ['a', 'b'] });
  });

  it('replace_pattern / replace_all_patterns (Go templates), replace_match / replace_all_matches (globs), with a hash function', () => {
    const a = (m: KvList, st: string) => run(st, ctx(m)).log!.attributes;
    expect(a({ cmd: 'run password=secret -v' }, 'replace_pattern(attributes["cmd"], "password\\\\=[^\\\\s]*(\\\\s?)", "password=***$1")')).toEqual({ cmd: 'run password=*** -v' });
    expect(a({ n: 'kube_pod_info' }, 'replace_pattern(attributes["n"], "^kube_([0-9A-Za-z]+_)", "k8s.$1.")')).toEqual({ n: 'k8s.pod_.info' });
    expect(a({ n: 'kube_pod_info' }, 'replace_pattern(attributes["n"], "^kube_(?P<x>[a-z]+)_", "${x}-")')).toEqual({ n: 'pod-info' });
    expect(a({ n: 'baaac' }, 'replace_pattern(attributes["n"], "a*", "X")')).toEqual({ n: 'XbXcX' });
    const hashed = a({ n: 'kube_pod_info' }, 'replace_pattern(attributes["n"], "^kube_([0-9A-Za-z]+_)", "$1.", SHA256, "k8s.%s")').n as string;
    expect(hashed).toMatch(/^k8s\.[0-9a-f]{64}info$/);
    expect(a({ p: '/account/1234', q: 'x' }, 'replace_all_patterns(attributes, "value", "/account/\\\\d{4}", "/account/{accountId}")')).toEqual({ p: '/account/{accountId}', q: 'x' });
    expect(a({ kube_a: 1n, b: 2n }, 'replace_all_patterns(attributes, "key", "^kube_", "k8s.")')).toEqual({ 'k8s.a': 1n, b: 2n });
    expect(a({ t: '/user/12/list/34' }, 'replace_match(attributes["t"], "/user/*/list/*", "/user/{userId}/list/{listId}")')).toEqual({ t: '/user/{userId}/list/{listId}' });
    expect(a({ t: '/user/12/x/list/34' }, 'replace_match(attributes["t"], "/user/*/list/*", "y")')).toEqual({ t: '/user/12/x/list/34' });
    expect(a({ t: '/user/1/list/2', u: 'no' }, 'replace_all_matches(attributes, "/user/*/list/*", "masked")')).toEqual({ t: 'masked', u: 'no' });
    expect(() => compileStatement('log', 'replace_pattern(attributes["t"], "x", "y", SHA256, "%s-%s")')).toThrow(/exactly one %s/);
    expect(() => compileStatement('log', 'replace_pattern(attributes["t"], "x", "y", Concat)')).toThrow(/a converter that takes one argument/);
  });

  it('span paths: trace_state keys, kind strings, IsRootSpan', () => {
    const c: EvalContext = { resource: { attributes: {} }, scope: { name: '' }, span: span('s', undefined, {}, { traceState: 'a=1,b=2' }) };
    compileStatement('span', 'set(span.trace_state["b"], "9")')(c);
    expect(c.span!.traceState).toBe('b=9,a=1');
    compileStatement('span', 'set(attributes["root"], IsRootSpan()) where span.kind.string == "Server" and span.trace_state["a"] == "1"')(c);
    expect(c.span!.attributes.root).toBe(true);
    expect(() => compileStatement('log', 'set(attributes["r"], IsRootSpan())')).toThrow(/works in span or spanevent context only/);
  });
});
