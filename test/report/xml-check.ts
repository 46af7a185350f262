// A small, strict XML 1.0 well-formedness parser for the tests (no XML library is a dependency):
// one root, balanced tags, quoted unique attributes, only the predefined entities and character
// references, no character XML forbids, no "<" or stray "&" in text. Returns the element tree with
// entities decoded, so tests can also assert on the content.
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decode(s: string, where: string): string {
  if (s.includes('<')) throw new Error(`raw "<" in ${where}`);
  return s.replace(/&([^;]*);?/g, (m, ent: string) => {
    if (!m.endsWith(';')) throw new Error(`unterminated entity in ${where}: ${m.slice(0, 12)}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ent in named) return named[ent]!;
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ent);
    if (!num) throw new Error(`unknown entity &${ent}; in ${where}`);
    const cp = num[1] ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
    const ch = String.fromCodePoint(cp);
    if (FORBIDDEN.test(ch)) throw new Error(`character reference to a forbidden character in ${where}`);
    return ch;
  });
}

export function parseXml(src: string): XmlElement {
  if (FORBIDDEN.test(src)) throw new Error(`forbidden character U+${src.codePointAt(src.search(FORBIDDEN))!.toString(16)}`);
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(src)) throw new Error('lone surrogate');
  let i = 0;
  const decl = /^<\?xml\s+version="1\.0"(\s+encoding="[A-Za-z0-9-]+")?\s*\?>/.exec(src);
  if (decl) i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  while (i < src.length) {
    if (!stack.length) {
      skipSpace();
      if (i >= src.length) break;
      if (root) throw new Error(`content after the root element at ${i}`);
    }
    const lt = src.indexOf('<', i);
    if (stack.length) {
      const text = src.slice(i, lt < 0 ? src.length : lt);
      if (text.includes(']]>')) throw new Error(`"]]>" in text at ${i}`);
      stack.at(-1)!.text += decode(text, `text of <${stack.at(-1)!.name}>`);
    } else if (lt !== i) throw new Error(`text outside the root at ${i}`);
    if (lt < 0) break;
    i = lt;
    if (src.startsWith('</', i)) {
      const m = /^<\/([A-Za-z_:][A-Za-z0-9_:.-]*)\s*>/.exec(src.slice(i));
      if (!m) throw new Error(`bad end tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[1]) throw new Error(`</${m[1]}> closes <${open?.name ?? 'nothing'}> at ${i}`);
      i += m[0].length;
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i + 4);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    i++;
    const name = NAME.exec(src.slice(i));
    if (!name) throw new Error(`bad tag name at ${i}`);
    i += name[0].length;
    const el: XmlElement = { name: name[0], attrs: {}, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else if (root) throw new Error(`a second root element <${el.name}>`);
    else root = el;
    for (;;) {
      const before = i;
      skipSpace();
      if (src.startsWith('/>', i)) {
        i += 2;
        break;
      }
      if (src[i] === '>') {
        i++;
        stack.push(el);
        break;
      }
      if (i === before) throw new Error(`expected whitespace before attribute at ${i} in <${el.name}>`);
      const an = NAME.exec(src.slice(i));
      if (!an) throw new Error(`bad attribute name at ${i} in <${el.name}>`);
      i += an[0].length;
      const eq = /^\s*=\s*(["'])/.exec(src.slice(i));
      if (!eq) throw new Error(`attribute ${an[0]} without a quoted value at ${i}`);
      i += eq[0].length;
      const close = src.indexOf(eq[1]!, i);
      if (close < 0) throw new Error(`unterminated attribute ${an[0]}`);
      if (an[0] in el.attrs) throw new Error(`duplicate attribute ${an[0]} in <${el.name}>`);
      el.attrs[an[0]] = decode(src.slice(i, close), `attribute ${an[0]} of <${el.name}>`);
      i = close + 1;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

export function descendants(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
