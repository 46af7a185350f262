// The script hooks for module.register() (Node < 22.15, no module.registerHooks): the same rules as
// hooks.ts, run by Node in its hooks thread.
import type { LoadHook, ModuleFormat, ResolveHook } from 'node:module';
import { SCRIPT_LOADER_PLUGINS } from './plugins.ts';
import { pluginLoad, pluginResolve } from './rules.ts';

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const url = pluginResolve(SCRIPT_LOADER_PLUGINS, specifier, context.parentURL);
  return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
};

export const load: LoadHook = async (url, context, nextLoad) => {
  const loaded = await nextLoad(url, context);
  const out = pluginLoad(SCRIPT_LOADER_PLUGINS, url, loaded);
  return out === undefined ? loaded : { ...loaded, format: out.format as ModuleFormat, source: out.source, shortCircuit: true };
};
