// Installs the k6 loader plugin as Node module hooks in the calling thread (main thread and each
// load worker, through Plan.preload). Beside the script-loader seam (src/engine/script-loader/)
// rather than in its plugin list: that list is in the engine, below k6 in the layers, and its
// rules do not yet give plugins URL specifiers (https:) or the per-VU `?vu=N` resolution.
import { registerHooks } from 'node:module';
import { k6LoaderPlugin } from './loader-plugin.ts';

let installed = false;

export function installK6Hooks(): void {
  if (installed) return;
  installed = true;
  const plugin = k6LoaderPlugin;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const url = plugin.resolve?.(specifier, context.parentURL);
      if (url !== undefined) return { url, shortCircuit: true };
      const resolved = nextResolve(specifier, context);
      // A VU's own instance of the script (…/script.js?vu=3) gets its own instances of the user's
      // local modules too: the query follows relative imports, never into packages.
      const vu = context.parentURL ? /[?&]vu=\d+/.exec(context.parentURL) : null;
      if (vu && resolved.url.startsWith('file:') && !resolved.url.includes('/node_modules/') && !resolved.url.includes('?')) {
        return { ...resolved, url: `${resolved.url}?${vu[0].slice(1)}` };
      }
      return resolved;
    },
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (
        !url.startsWith('file:') ||
        !/\.(m?js|cjs|m?ts)$/.test(new URL(url).pathname) ||
        loaded.source === undefined ||
        loaded.source === null
      )
        return loaded;
      const source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source as Uint8Array).toString('utf8');
      const out = plugin.transform?.(source, url);
      if (out === undefined) return loaded;
      // A k6 script is an ES module whatever its extension says (k6 has no CommonJS).
      return { format: 'module', source: out, shortCircuit: true };
    },
  });
}
