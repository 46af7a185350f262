// The script-loader plugins, in the order they are asked (the first that resolves a specifier wins;
// transforms apply in turn). One line per plugin.
import type { ScriptLoaderPlugin } from './plugin.ts';
import { speedguardPackage } from './speedguard-package.ts';

export const SCRIPT_LOADER_PLUGINS: readonly ScriptLoaderPlugin[] = [speedguardPackage];
