// installScriptHooks(): Node module hooks that let users' scripts run from wherever they are kept
// (rules.ts says what they do). Called in the main thread before a script is imported and in each
// load worker before it imports the script again; hooks are per thread (registerHooks) or per
// process (register), so it is called in every thread and installs once.
import module from 'node:module';
import { ownModule } from '../../own-files.ts';
import { SCRIPT_LOADER_PLUGINS } from './plugins.ts';
import { pluginLoad, pluginResolve } from './rules.ts';

let installed = false;

export function installScriptHooks(): void {
  if (installed) return;
  installed = true;
  const plugins = SCRIPT_LOADER_PLUGINS;
  if (typeof module.registerHooks === 'function') {
    // Node ≥ 22.15 / 23.5: synchronous hooks in this thread.
    module.registerHooks({
      resolve(specifier, context, nextResolve) {
        const url = pluginResolve(plugins, specifier, context.parentURL);
        return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
      },
      load(url, context, nextLoad) {
        const loaded = nextLoad(url, context);
        const out = pluginLoad(plugins, url, loaded);
        return out === undefined
          ? loaded
          : { ...loaded, format: out.format as module.ModuleFormat, source: out.source, shortCircuit: true };
      },
    });
  } else {
    // Node 22.12–22.14: the same rules in Node's off-thread hooks (async-hooks.ts).
    module.register(ownModule('./async-hooks.ts', import.meta.url));
  }
}
