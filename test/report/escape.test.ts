import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fileSafe, md, mdLine, term, xml, xmlText } from '../../src/report/escape.ts';
import { parseXml } from './xml-check.ts';

/** Inverse of md() for what it keeps: entities, then backslash escapes (single passes). */
function unMd(s: string): string {
  return s.replace(/&(amp|lt|gt);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>' })[e]!).replace(/\\([\s\S])/g, '$1');
}
const mdKept = (s: string) => s.replace(/\r\n?|\n|\u2028|\u2029/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
const xmlKept = (s: string) =>
  s.replace(
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '',
  );
const anyText = fc.string({
  unit: fc.constantFrom(...'|`<>*_[]~$\\&#-+=1. \n\r\t\x1b\x00a'.split(''), 'a_b', 'ab', '&lt;', '\ud800', '\ufffe'),
  maxLength: 60,
});

test('md(): markup characters are escaped, HTML is entity-encoded, lines are folded', () => {
  assert.equal(md('a|b'), 'a\\|b');
  assert.equal(md('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(md('[x](javascript:y)'), '\\[x\\](javascript:y)');
  assert.equal(md('*b* _i_ `c` ~~s~~ $m$'), '\\*b\\* \\_i\\_ \\`c\\` \\~\\~s\\~\\~ \\$m\\$');
  assert.equal(md('one\ntwo\r\nthree'), 'one two three');
  assert.equal(md('&amp;'), '&amp;amp;');
  assert.equal(md('a\x1b[31mb'), 'a\\[31mb');
  assert.equal(md('http_req_duration _x_ a_'), 'http_req_duration \\_x\\_ a\\_');
  assert.equal(md(null), '');
  assert.equal(md(12.5), '12.5');
});

test('md(): property — nothing but text survives, and unescaping gives the text back', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const out = md(s);
      const bare = out.replace(/\\[\s\S]/g, '').replace(/&(amp|lt|gt);/g, '');
      assert.doesNotMatch(bare, /[|`<>*[\]~$\\&\n\r\u0000-\u0008\u000b-\u001f]/, JSON.stringify({ s, out }));
      // An unescaped underscore only between ASCII letters or digits (it cannot make emphasis there).
      assert.doesNotMatch(out, /(?<![\\A-Za-z0-9])_|(?<!\\)_(?![A-Za-z0-9])/, JSON.stringify({ s, out }));
      assert.equal(unMd(out), mdKept(s));
    }),
    { numRuns: 500 },
  );
});

test('mdLine(): cannot start a heading, list, rule or indented code block', () => {
  assert.equal(mdLine('# title'), '\\# title');
  assert.equal(mdLine('- item'), '\\- item');
  assert.equal(mdLine('+ item'), '\\+ item');
  assert.equal(mdLine('1. item'), '1\\. item');
  assert.equal(mdLine('12) item'), '12\\) item');
  assert.equal(mdLine('    code'), 'code');
  assert.equal(mdLine('=== '), '\\=== ');
  assert.equal(mdLine('> quote'), '&gt; quote');
  assert.equal(mdLine('plain - text'), 'plain - text');
});

test('xml()/xmlText(): property — any string survives a round trip through a strict XML parser', () => {
  fc.assert(
    fc.property(anyText, (s) => {
      const doc = `<a v="${xml(s)}" w='${xml(s)}'>${xmlText(s)}</a>`;
      const el = parseXml(doc);
      assert.equal(el.attrs.v, xmlKept(s));
      assert.equal(el.attrs.w, xmlKept(s));
      assert.equal(el.text, xmlKept(s));
    }),
    { numRuns: 500 },
  );
  assert.equal(xml('<a href="x">&\'</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  assert.equal(xml('a\x00b\x1bc\ufffe'), 'abc');
  assert.equal(xml('a\nb'), 'a&#10;b');
  assert.equal(xmlText('a\nb'), 'a\nb');
});

test('term(): ANSI escapes and other control characters are removed, lines folded', () => {
  assert.equal(term('\x1b[2J\x1b[31mred\x1b[0m\x07\nnext\r\n'), '[2J[31mred[0m next ');
  assert.doesNotMatch(term('\x1b]0;title\x07\x9b31m'), /[\x00-\x1f\x7f-\x9f]/);
});

test('fileSafe(): only safe characters, never empty, never a hidden file or a path', () => {
  assert.equal(fileSafe('127.0.0.1-3000-api'), '127.0.0.1-3000-api');
  assert.equal(fileSafe('../../etc/passwd <x>'), 'etc-passwd-x');
  assert.equal(fileSafe('...'), 'target');
  assert.equal(fileSafe(''), 'target');
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const out = fileSafe(s);
      assert.match(out, /^[A-Za-z0-9_][A-Za-z0-9._-]{0,79}$/);
    }),
  );
});
