// How k6 scripts load: `k6` and `k6/*` resolve to speedguard's k6 modules, what cannot work here
// fails with one line that says what to do, and the user's modules get the async transform.
import { ownModule } from '../own-files.ts';
import type { ScriptLoaderPlugin } from '../engine/script-loader/plugin.ts';
import { transformK6Source } from './transform/transform.ts';
import { RUNTIME_SPECIFIER } from './transform/rewrite.ts';

const MODULES: Record<string, string> = {
  k6: 'k6.ts',
  'k6/http': 'http.ts',
  'k6/metrics': 'metrics.ts',
  'k6/data': 'data.ts',
  'k6/execution': 'execution.ts',
  'k6/encoding': 'encoding.ts',
  'k6/crypto': 'crypto.ts',
  'k6/timers': 'timers.ts',
  [RUNTIME_SPECIFIER]: 'runtime.ts',
};

/** Thrown for an import speedguard cannot provide: the message is the whole answer. */
export class UnsupportedK6Import extends Error {
  override name = 'UnsupportedK6Import';
}

function unsupported(specifier: string): string | null {
  if (/^https?:\/\//.test(specifier)) {
    return (
      `remote module imports are not supported (${specifier}): download the file next to the script and import it by a relative ` +
      `path (e.g. import { x } from './vendor/${specifier.split('/').pop()}')`
    );
  }
  if (specifier.startsWith('k6/x/'))
    return (
      `${specifier} is a k6 extension (Go code built into a custom k6 binary): speedguard cannot load extensions — keep this ` +
      `script on xk6, or remove the extension's use`
    );
  if (specifier === 'k6/browser' || specifier.startsWith('k6/experimental/browser'))
    return `${specifier} (browser testing) is not supported by speedguard yet: keep browser scenarios on k6`;
  if (specifier === 'k6/net/grpc' || specifier.startsWith('k6/experimental/grpc'))
    return `${specifier} (gRPC) is not supported by speedguard yet: keep gRPC scenarios on k6`;
  if (specifier === 'k6/ws' || specifier.startsWith('k6/experimental/websockets') || specifier === 'k6/websockets')
    return `${specifier} (WebSocket) is not supported by speedguard yet: keep WebSocket scenarios on k6`;
  if (specifier === 'k6' || specifier.startsWith('k6/'))
    return `${specifier} is not supported by speedguard (supported: ${Object.keys(MODULES)
      .filter((m) => m !== RUNTIME_SPECIFIER)
      .join(', ')})`;
  return null;
}

export const k6LoaderPlugin: ScriptLoaderPlugin = {
  name: 'k6',
  resolve(specifier) {
    const file = MODULES[specifier];
    if (file) return ownModule(`./modules/${file}`, import.meta.url).href;
    const problem = unsupported(specifier);
    if (problem) throw new UnsupportedK6Import(problem);
    return undefined;
  },
  transform(source, url) {
    // speedguard's own modules and installed packages are never k6 code.
    if (url.startsWith(OWN_ROOT) || url.includes('/node_modules/')) return undefined;
    return transformK6Source(source, url);
  },
};

const OWN_ROOT = new URL('../', import.meta.url).href;
