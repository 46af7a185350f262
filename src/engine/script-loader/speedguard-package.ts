// `import { http, check } from 'speedguard'` in a user's script resolves to the running CLI's own
// package, whether or not the user's project installed speedguard: the script API finds the current
// iteration through module state (engine/script/context.ts), so a second copy (another version in the
// project's node_modules, or none at all) would not see the VU that runs it.
import { ownModule } from '../../own-files.ts';
import type { ScriptLoaderPlugin } from './plugin.ts';

const OWN_INDEX = ownModule('../../index.ts', import.meta.url).href;

export const speedguardPackage: ScriptLoaderPlugin = {
  name: 'speedguard',
  resolve: (specifier) => (specifier === 'speedguard' ? OWN_INDEX : undefined),
};
