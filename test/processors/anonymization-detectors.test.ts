import { describe, expect, it } from 'vitest';
import {
  Scanner,
  allBuiltinDetectors,
  cardIssuerValid,
  customDetector,
  e164Valid,
  expandIPv6,
  ibanChecksumValid,
  luhnValid,
  truncateIPv4,
  truncateIPv6,
} from '../../src/redaction/index.js';

const scanner = new Scanner(allBuiltinDetectors());
const kinds = scanner.detectors.map((d) => d.name);
/** [kind, matched text] for every detection in a string. */
function found(t: string): [string, string][] {
  return scanner.scan(t).map((m) => [kinds[m.det]!, t.slice(m.start, m.end)]);
}

describe('checksums', () => {
  it('Luhn accepts test card numbers and rejects one-digit changes', () => {
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117'])
      expect(luhnValid(n)).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('4111a11111111111')).toBe(false);
  });
  it('card issuers and lengths', () => {
    expect(cardIssuerValid('4111111111111111')).toBe(true);
    expect(cardIssuerValid('378282246310005')).toBe(true);
    expect(cardIssuerValid('3782822463100051')).toBe(false); // Amex is 15 digits
    expect(cardIssuerValid('1732245600123456')).toBe(false);
  });
  it('IBAN mod-97 and country length', () => {
    expect(ibanChecksumValid('DE89370400440532013000')).toBe(true);
    expect(ibanChecksumValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanChecksumValid('NO9386011117947')).toBe(true);
    expect(ibanChecksumValid('DE89370400440532013001')).toBe(false);
    expect(ibanChecksumValid('DE8937040044053201300')).toBe(false); // too short for DE
    expect(ibanChecksumValid('ZZ89370400440532013000')).toBe(false);
  });
  it('E.164 country codes and national lengths', () => {
    expect(e164Valid('14155552671')).toBe(true);
    expect(e164Valid('442079460958')).toBe(true);
    expect(e164Valid('4915112345678')).toBe(true);
    expect(e164Valid('11155552671')).toBe(false); // NANP area code cannot start with 1
    expect(e164Valid('0200')).toBe(false);
    expect(e164Valid('1234567')).toBe(false);
    expect(e164Valid('4412345')).toBe(false);
  });
});

describe('IP truncation', () => {
  it('keeps /24 of IPv4 and /48 of IPv6', () => {
    expect(truncateIPv4('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIPv6('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(truncateIPv6('2001:db8::1')).toBe('2001:db8:0::');
    expect(expandIPv6('::ffff:192.0.2.128')).toEqual([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280]);
    expect(expandIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  });
});

describe('detectors', () => {
  const positives: [string, string, string][] = [
    ['mail to Jane.Doe+x@mail.example.co.uk.', 'email', 'Jane.Doe+x@mail.example.co.uk'],
    ['GET /u?e=jo%40example.com 200', 'email', 'jo%40example.com'],
    ['from 203.0.113.9:443', 'ipv4', '203.0.113.9'],
    ['at rm-1/10.1.2.3:8030', 'ipv4', '10.1.2.3'],
    ['peer [2001:db8::7]:443', 'ipv6', '2001:db8::7'],
    ['addr fe80::1ff:fe23:4567:890a%eth0', 'ipv6', 'fe80::1ff:fe23:4567:890a'],
    ['mapped ::ffff:192.0.2.128 ok', 'ipv6', '::ffff:192.0.2.128'],
    ['card 4111 1111 1111 1111 ok', 'credit_card', '4111 1111 1111 1111'],
    ['amex 3782-822463-10005', 'credit_card', '3782-822463-10005'],
    ['iban GB82 WEST 1234 5698 7654 32 EUR', 'iban', 'GB82 WEST 1234 5698 7654 32'],
    ['call +1 (415) 555-2671 now', 'phone', '+1 (415) 555-2671'],
    ['Tel +44 (0)20 7946 0958 2026', 'phone', '+44 (0)20 7946 0958'],
    ['Authorization: Bearer abcDEF123456ghiJKL789', 'bearer_token', 'abcDEF123456ghiJKL789'],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'bearer_token', 'dXNlcjpwYXNzd29yZA=='],
    ['t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', 'jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'],
    ['key AKIAIOSFODNN7EXAMPLE used', 'aws_access_key', 'AKIAIOSFODNN7EXAMPLE'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['postgres://app:s3cr@t@db:5432/x', 'url_credentials', 'app:s3cr@t'],
  ];
  for (const [text, kind, span] of positives)
    it(`finds ${kind} in ${JSON.stringify(text)}`, () => {
      expect(found(text)).toContainEqual([kind, span]);
    });

  const negatives = [
    'version 1.2.3.4 released',
    'Chrome/120.0.0.0 Safari/537.36',
    'OID 1.3.6.1.4.1.2021',
    'pkg-1.2.3.4.tar.gz',
    'uuid 550e8400-e29b-41d4-a716-446655440000',
    'mac 00:1a:2b:3c:4d:5e at 12:30:45',
    'wwn 50:01:43:80:12:34:56:78',
    'std::vector and tokio::runtime',
    'route ::/0',
    'icon@2x.png and lodash@4.17.21',
    'git@github.com:org/repo.git and ssh://git@github.com/org/repo',
    'root@localhost',
    'price $1,299.99 (+5.5%) tz +0200 UTC+05:30',
    'order 4111111111111112 and epoch 1732245600123456789',
    'request_id=4111111111111111',
    'Bearer token required; invalid bearer authentication',
    'Basic realm="x"',
    'IBAN DE89370400440532013001 (bad checksum)',
    'trace 4bf92f3577b34da6a3ce929d0e0e4736',
    'https://example.com:443/path and http://user@host.example.com/',
  ];
  for (const text of negatives)
    it(`finds nothing in ${JSON.stringify(text)}`, () => {
      expect(found(text)).toEqual([]);
    });

  it('resolves overlaps by priority: URL credentials over e-mail, JWT over bearer token', () => {
    expect(found('https://bob:pw@example.com/')).toEqual([['url_credentials', 'bob:pw']]);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    expect(found(`Authorization: Bearer ${jwt}`)).toEqual([['jwt', jwt]]);
  });

  it('custom regexes run after built-ins and survive empty matches', () => {
    const s = new Scanner([...allBuiltinDetectors(), customDetector('employee_id', /EMP-\d{6}/), customDetector('empty', /q*/)]);
    const t = 'badge EMP-123456 for a@b.example.com';
    expect(s.scan(t).map((m) => [s.detectors[m.det]!.name, t.slice(m.start, m.end)])).toEqual([
      ['employee_id', 'EMP-123456'],
      ['email', 'a@b.example.com'],
    ]);
  });
});
