// Tags and the cardinality guard: a URL with ids in it must not create a new series per id.

export type Tags = Readonly<Record<string, string>>;

/** True when `have` carries every tag of `want` with the same value (a sub-metric's selector). */
export function tagsMatch(have: Tags, want: Tags): boolean {
  for (const k in want) if (have[k] !== want[k]) return false;
  return true;
}

/** Stable key for a tag set (sorted), used to find a series. */
export function tagsKey(tags: Tags): string {
  const keys = Object.keys(tags).sort();
  let s = '';
  for (const k of keys) s += (s ? ',' : '') + k + '=' + tags[k];
  return s;
}

const ID_SEGMENT = [
  /^\d+$/, // 12345
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // uuid
  /^[0-9a-f]{16,}$/i, // hashes, object ids
  /^(?=.*\d)[A-Za-z0-9_-]{20,}$/, // long opaque tokens with digits
];

/**
 * The default `name` tag of a request: the URL with id-like path segments replaced by ":id" and
 * query values dropped, so /users/17?x=3 and /users/18?x=4 share the series "…/users/:id?x".
 */
export function normaliseUrlName(url: URL): string {
  const segs = url.pathname.split('/').map((seg) => (ID_SEGMENT.some((re) => re.test(seg)) ? ':id' : seg));
  let name = url.origin + segs.join('/');
  if (url.search) name += '?' + [...url.searchParams.keys()].join('&');
  return name;
}

/**
 * Caps distinct values per tag key. Past the cap, new values collapse into "__other__" and the
 * guard remembers that it happened, so the summary can say which tag overflowed.
 */
export class CardinalityGuard {
  readonly limit: number;
  private readonly seen = new Map<string, Set<string>>();
  readonly overflowed = new Set<string>();

  constructor(limit = 200) {
    this.limit = limit;
  }

  value(key: string, value: string): string {
    let set = this.seen.get(key);
    if (!set) this.seen.set(key, (set = new Set()));
    if (set.has(value)) return value;
    if (set.size >= this.limit) {
      this.overflowed.add(key);
      return '__other__';
    }
    set.add(value);
    return value;
  }
}
