// GET /api/products/:id/recommendations — "you may also like".
//
// DELIBERATE BOTTLENECK #1 (CPU): scoreRecommendations scores the product against the WHOLE catalogue
// on every request, synchronously on the event loop, re-deriving every candidate's text features
// (words and word pairs, tag sets) each time and sorting all candidates to keep ten. ~5–20 ms of CPU
// per call, during which the process serves nothing else. The fix is to precompute the features
// (or the top-N per product) once, or to move the scoring off the request path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoDatabase } from '../db.ts';
import { HttpError, parseId, parseLimit, sendJson } from '../http.ts';
import type { DemoStats } from '../stats.ts';

export interface CatalogueEntry {
  id: number;
  name: string;
  description: string;
  category_id: number;
  brand: string;
  price_cents: number;
  rating: number;
  tags: string;
}

export interface ScoredProduct {
  id: number;
  name: string;
  price_cents: number;
  score: number;
}

/** The catalogue the recommender reads, loaded once at start (products do not change in the demo). */
export function loadCatalogue(db: DemoDatabase): Promise<CatalogueEntry[]> {
  return db
    .statement(
      'catalogueForScoring',
      'SELECT id, name, description, category_id, brand, price_cents, rating, tags FROM products ORDER BY id',
    )
    .all<CatalogueEntry>();
}

/** Words of a text, plus the word pairs of its start (the product name): a cheap bag of phrases. */
function textFeatures(text: string): Set<string> {
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2);
  const features = new Set<string>(words);
  for (let i = 1; i < 6 && i < words.length; i++) features.add(`${words[i - 1]} ${words[i]}`);
  return features;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

/** Scores every product of the catalogue against `target`; the `limit` best, best first. */
export function scoreRecommendations(target: CatalogueEntry, catalogue: readonly CatalogueEntry[], limit: number): ScoredProduct[] {
  const targetGrams = textFeatures(`${target.name} ${target.description}`);
  const targetTags = new Set(target.tags.split(','));
  const scored: ScoredProduct[] = [];
  for (const p of catalogue) {
    if (p.id === target.id) continue;
    // Recomputed for every candidate on every request: the waste this endpoint demonstrates.
    const text = jaccard(targetGrams, textFeatures(`${p.name} ${p.description}`));
    const tags = p.tags.split(',').filter((t) => targetTags.has(t)).length / Math.max(targetTags.size, 1);
    const price = 1 - Math.min(1, Math.abs(Math.log(p.price_cents / target.price_cents)) / 2);
    const score =
      0.5 * text +
      0.15 * tags +
      0.15 * price +
      (p.category_id === target.category_id ? 0.15 : 0) +
      (p.brand === target.brand ? 0.05 : 0) +
      0.02 * (p.rating - 3);
    scored.push({ id: p.id, name: p.name, price_cents: p.price_cents, score: Math.round(score * 10_000) / 10_000 });
  }
  scored.sort((a, b) => b.score - a.score || a.id - b.id);
  return scored.slice(0, limit);
}

export function makeRecommendationsHandler(catalogue: readonly CatalogueEntry[], stats: DemoStats) {
  const byId = new Map(catalogue.map((p) => [p.id, p]));
  return (req: IncomingMessage, res: ServerResponse, params: string[], query: URLSearchParams): void => {
    const id = parseId(params[0], 'product');
    const target = byId.get(id);
    if (target === undefined) throw new HttpError(404, `product ${id} not found`);
    const limit = parseLimit(query.get('limit'), 10, 50);
    const items = stats.measure('scoreRecommendations', () => scoreRecommendations(target, catalogue, limit));
    sendJson(req, res, 200, { productId: id, items }, { cacheControl: 'public, max-age=600' });
  };
}
