// The script-loader plugin contract (its home will be src/engine/script-loader/; declared here
// until that seam is on main — the lead replaces this import when merging).
export interface ScriptLoaderPlugin {
  readonly name: string;
  /** URL for a bare specifier it owns ('k6/http'), else undefined. May throw a one-line error. */
  resolve?(specifier: string, parentURL: string | undefined): string | undefined;
  /** Rewritten source, else undefined. */
  transform?(source: string, url: string): string | undefined;
}
