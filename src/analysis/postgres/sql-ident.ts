// Identifiers as PostgreSQL's quote_ident() writes them: bare when lower-case and not a keyword
// that needs quoting, otherwise in double quotes (inner quotes doubled).

// pg_get_keywords() entries whose category is not "unreserved" (PostgreSQL 15, plus those added up to 18).
const NEEDS_QUOTES = new Set(
  `all analyse analyze and any array as asc asymmetric authorization between bigint binary bit
boolean both case cast char character check coalesce collate collation column concurrently constraint create cross
current_catalog current_date current_role current_schema current_time current_timestamp current_user dec decimal default
deferrable desc distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest
group grouping having ilike in initially inner inout int integer intersect interval into is isnull join lateral leading
least left like limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric
offset on only or order out outer overlaps overlay placing position precision primary real references returning right
row select session_user setof similar smallint some substring symmetric system_user table tablesample then time timestamp
to trailing treat trim true union unique user using values varchar variadic verbose when where window with
json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize json_table
json_value merge_action xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
xmlserialize xmltable`.split(/\s+/),
);

export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !NEEDS_QUOTES.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** The name inside an identifier that may be quoted (`"Order Date"` → `Order Date`, `total` → `total`). */
export function unquoteIdent(ident: string): string {
  const m = /^"((?:[^"]|"")*)"$/.exec(ident.trim());
  return m ? m[1]!.replace(/""/g, '"') : ident.trim();
}
