// The report's only stylesheet. Its SHA-256 goes into the Content-Security-Policy, so it must be
// a constant: nothing from the record is ever put into CSS.
export const STYLE = `
:root{--bg:#f6f7f9;--card:#fff;--fg:#1f2933;--muted:#64707d;--line:#e3e7ec;--axis:#9aa5b1;
--blue:#2563eb;--red:#dc2626;--green:#15803d;--amber:#d97706;--purple:#7c3aed;--grey:#6b7280;--teal:#0f766e;
--band:rgba(37,99,235,.07)}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1a1f25;--fg:#e6e9ed;--muted:#9aa5b1;--line:#2c333b;--axis:#5b6672;
--blue:#60a5fa;--red:#f87171;--green:#4ade80;--amber:#fbbf24;--purple:#a78bfa;--grey:#9ca3af;--teal:#2dd4bf;--band:rgba(96,165,250,.10)}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:0 0 8px}h4{font-size:13px;margin:14px 0 6px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
p{margin:6px 0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:12px 0}
.muted{color:var(--muted)}
.header{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start;justify-content:space-between}
.header .target{font-size:15px;overflow-wrap:anywhere}
.verdict{border-left:6px solid var(--grey);padding:10px 14px;margin-top:12px;background:var(--card);border-radius:6px;font-size:15px}
.verdict.v-critical{border-color:var(--red)}.verdict.v-degraded{border-color:var(--amber)}
.verdict.v-acceptable{border-color:var(--blue)}.verdict.v-optimal{border-color:var(--green)}
.warning{border:1px solid var(--amber);background:rgba(217,119,6,.08);border-radius:6px;padding:10px 14px;margin-top:10px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px;min-width:150px}
.tile .v{font-size:20px;font-weight:600}.tile .k{color:var(--muted);font-size:12px}
.badge{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;
color:#fff;background:var(--grey);white-space:nowrap}
.sev-critical{background:var(--red)}.sev-high{background:#ea580c}.sev-medium{background:var(--amber)}
.sev-low{background:var(--blue)}.sev-info{background:var(--grey)}
.ver-passed{background:var(--green)}.ver-degraded{background:var(--amber)}.ver-failed{background:var(--red)}
.ver-skipped,.ver-unknown{background:var(--grey)}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600;font-size:12px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.evidence td:nth-child(3),table.evidence th:nth-child(3),
table.phases td:first-child,table.generator td:first-child,table.errors td:first-child{white-space:nowrap;overflow-wrap:normal}
table.evidence td:first-child{overflow-wrap:break-word}
.finding{border-left:5px solid var(--grey)}
.finding.sev-b-critical{border-left-color:var(--red)}.finding.sev-b-high{border-left-color:#ea580c}
.finding.sev-b-medium{border-left-color:var(--amber)}.finding.sev-b-low{border-left-color:var(--blue)}
.finding .meta{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:6px;color:var(--muted);font-size:12.5px}
.finding .cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:4px 24px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:12px}
.charts.key{grid-template-columns:repeat(auto-fill,minmax(360px,1fr))}
figure.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 10px 6px;break-inside:avoid}
figure.chart figcaption{font-weight:600;font-size:13px;margin:0 4px 4px}
figure.chart svg{width:100%;height:auto;display:block;overflow:visible}
svg text{font-size:11px;fill:var(--muted)}
svg .tick{font-variant-numeric:tabular-nums}
svg .axis-label{font-size:11.5px}
svg .grid{stroke:var(--line);stroke-width:1}
svg .axis,svg .tickmark{stroke:var(--axis);stroke-width:1}
svg .series{stroke:currentColor;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
svg .dots{fill:currentColor}
svg .marker line{stroke:currentColor;stroke-width:1.5}
svg .marker text{fill:currentColor;font-weight:600}
svg .band rect{fill:var(--band)}
svg .band-label{font-size:10.5px}
svg .nodata{font-size:14px}
.c-blue{color:var(--blue)}.c-red{color:var(--red)}.c-green{color:var(--green)}.c-amber{color:var(--amber)}
.c-purple{color:var(--purple)}.c-grey{color:var(--grey)}.c-teal{color:var(--teal)}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;margin:4px 6px 2px;padding:0;font-size:12px;color:var(--muted)}
ul.legend .key{display:inline-block;width:16px;height:0;border-top:3px solid currentColor;margin-right:6px;vertical-align:middle}
ul.legend .key.dashed{border-top-style:dashed}
details summary{cursor:pointer;color:var(--muted)}
.phase h3 .badge{margin-left:8px;vertical-align:1px}
svg.flame{width:100%;height:auto;display:block}
svg.flame rect{fill:currentColor;stroke:var(--card);stroke-width:.6}
svg.flame text{font-size:10.5px;fill:#111827;pointer-events:none}
.fl-user{color:#fb923c}.fl-dependency{color:#facc15}.fl-node-internal{color:#86efac}.fl-native{color:#cbd5e1}
.fl-gc{color:#c4b5fd}.fl-json{color:#5eead4}.fl-regexp{color:#93c5fd}
.fl-sync-fs,.fl-sync-crypto,.fl-sync-zlib{color:#f87171}.fl-none{color:#e5e7eb}
ul.legend .key.fl-key{height:10px;border:0;background:currentColor;border-radius:2px}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media print{body{background:#fff}.card,figure.chart{break-inside:avoid}}
`;
