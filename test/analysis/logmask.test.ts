import { describe, expect, it } from 'vitest';
import { isUpperWord, maskToken, tokenize, WILDCARD } from '../../src/analysis/logmask.js';
import { TemplateMiner } from '../../src/analysis/drain.js';
import { STYLES } from './logstyles.js';

const W = WILDCARD;

describe('log token masks', () => {
  it('masks what varies in any system', () => {
    for (const t of ['12', '0x1f', 'blk_-1608999687919862906', '10.0.0.1', '[10.0.0.1]:22', 'fe80::1', '2005-06-03', '15:42:50', '5.2KB', 'ssh2'])
      expect(maskToken(t), t).toBe(W);
    for (const t of ['/var/log/messages', './run.sh', '~/x/y', 'C:\\Windows\\winsxs', 'http://example.com/a', 'www.google.com', 'ns.example.net,', 'com.android.systemui', 'chrome.exe', '(app.jar)', 'Dec', '[Sun'])
      expect(maskToken(t), t).toBe(W);
  });

  it('keeps the key of key=value and key:value', () => {
    expect(maskToken('uid=0')).toBe('uid=<*>');
    expect(maskToken('user=root')).toBe('user=<*>');
    expect(maskToken('(uid=0)')).toBe('(uid=<*>');
    expect(maskToken('environment:user.dir=/')).toBe('environment:<*>');
    expect(maskToken('proxy.example.com:5070')).toBe(W); // host:port is not key:value
    expect(maskToken('R25-M0-N7-C:J12-U11')).toBe(W); // a location with digits inside is no key
    expect(maskToken('md5=9e107d9d')).toBe('md5=<*>'); // a key may end in digits
  });

  it('leaves words, punctuation and empty values alone', () => {
    for (const t of ['session', 'opened', 'pam_unix(sshd:auth):', 'ruser=', 'status:', '-', '***', 'e.g.', 'Mayday', 'ok'])
      expect(maskToken(t), t).toBe(t);
  });

  it('takes a unit after a number into the number', () => {
    expect(tokenize('lifetime <1 sec')).toEqual(['lifetime', W]);
    expect(tokenize('lifetime 00:02')).toEqual(['lifetime', W]);
    expect(tokenize('memory 2048 MB, disk 20 GB')).toEqual(['memory', W, 'disk', W]);
    expect(tokenize('sec 5 items')).toEqual(['sec', W, 'items']);
    expect(tokenize('estimated size 93.0 B, free 5.2 KB)')).toEqual(['estimated', 'size', W, 'free', W]);
    expect(tokenize('route 2 b c')).toEqual(['route', W, 'b', 'c']); // a lower-case letter is a word
  });

  it('takes a quoted value after key= as one value, however many words', () => {
    const a = tokenize('acquire lock=233570404, flags=0x1, tag="View Lock", name=com.android.systemui, uid=10037');
    const b = tokenize('acquire lock=166121161, flags=0x1, tag="*alarm*", name=android, uid=1000');
    expect(a).toEqual(['acquire', 'lock=<*>', 'flags=<*>', 'tag=<*>', 'name=<*>', 'uid=<*>']);
    expect(b).toEqual(a);
    expect(tokenize("user='John Smith' logged in")).toEqual(['user=<*>', 'logged', 'in']);
    // A quoted string without a key keeps its words (the method of a request is no variable),
    // and a quote that never closes takes no more than its own token.
    expect(tokenize('"GET /v2/servers HTTP/1.1" status: 200')).toEqual(['"GET', W, W, 'status:', W]);
    expect(tokenize('msg="unterminated value and more words')).toEqual(['msg=<*>', 'value', 'and', 'more', 'words']);
  });

  it('tells enumeration words from variable words', () => {
    for (const t of ['NEW', 'RUNNING', '"GET', 'SUCCESS_CONTAINER_CLEANUP']) expect(isUpperWord(t), t).toBe(true);
    for (const t of ['root', 'webmaster', 'A', 'x']) expect(isUpperWord(t, true), t).toBe(false);
    expect(isUpperWord('Started', true)).toBe(true);
    expect(isUpperWord('Started', false)).toBe(false);
    expect(isUpperWord('McDonald', true)).toBe(false);
  });
});

describe('template miner on log styles it was not built from', () => {
  for (const st of STYLES)
    it(`groups ${st.style} messages by template, one configuration for all`, () => {
      const m = new TemplateMiner();
      const ids = st.lines.map(([, l]) => m.add(l).cluster.id);
      const wrong: string[] = [];
      for (let i = 0; i < ids.length; i++)
        for (let j = i + 1; j < ids.length; j++)
          if ((ids[i] === ids[j]) !== (st.lines[i]![0] === st.lines[j]![0])) wrong.push(`${st.lines[i]![1]}  <>  ${st.lines[j]![1]}`);
      expect(wrong).toEqual([]);
    });

  it('keeps enumeration values apart but merges variable words', () => {
    const m = new TemplateMiner();
    const a = m.add('task_1 Task Transitioned from NEW to SCHEDULED');
    const b = m.add('task_2 Task Transitioned from SCHEDULED to RUNNING');
    expect(b.cluster).not.toBe(a.cluster);
    const c = m.add('Invalid user alice from 10.0.0.1');
    const d = m.add('Invalid user bob from 10.0.0.2');
    expect(d.cluster).toBe(c.cluster);
    expect(TemplateMiner.text(d.cluster)).toBe('Invalid user <*> from <*>');
    // Two differing words out of four is another template, not two variables.
    expect(m.add('Command has completed successfully').cluster).not.toBe(m.add('Command has been aborted').cluster);
  });
});
