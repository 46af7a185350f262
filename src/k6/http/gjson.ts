// The common subset of gjson path syntax that k6's Response.json(selector) uses:
// `a.b.c`, array indexes `items.0.id`, `#` for an array's length, `items.#.id` for every
// element's field, and `\.` for a dot inside a key. Wildcards, queries and modifiers are not
// supported (they give undefined).

function segments(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\' && i + 1 < path.length) cur += path[++i];
    else if (c === '.') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function step(v: unknown, segs: string[], i: number): unknown {
  if (i === segs.length) return v;
  const s = segs[i]!;
  if (s === '#') {
    if (!Array.isArray(v)) return undefined;
    if (i + 1 === segs.length) return v.length;
    return v.map((e) => step(e, segs, i + 1)).filter((e) => e !== undefined);
  }
  if (Array.isArray(v)) return /^\d+$/.test(s) ? step(v[Number(s)], segs, i + 1) : undefined;
  if (v !== null && typeof v === 'object' && Object.hasOwn(v, s)) return step((v as Record<string, unknown>)[s], segs, i + 1);
  return undefined;
}

/** The value at a gjson path in parsed JSON (undefined when nothing is there). */
export function gjsonGet(value: unknown, path: string): unknown {
  if (path === '') return value;
  return step(value, segments(path), 0);
}
