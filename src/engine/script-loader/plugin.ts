// What a script-loader plugin can do: own some bare specifiers, and rewrite the source of the modules
// it handles. Plugins are listed in plugins.ts; hooks.ts applies them to every module Node loads once
// installScriptHooks() has run in a thread.

export interface ScriptLoaderPlugin {
  readonly name: string;
  /** A URL for a bare specifier this plugin owns (e.g. 'speedguard', 'k6/http'), else undefined. */
  resolve?(specifier: string, parentURL: string | undefined): string | undefined;
  /** A rewritten source for a module this plugin handles, else undefined. */
  transform?(source: string, url: string): string | undefined;
}
