// Vendored the way k6 users vendor jslib's k6-summary (a local file imported by a relative path).
// Not that library: a stand-in written for this test that reads every field its textSummary reads
// (options.summaryTrendStats and summaryTimeUnit, each metric's type, contains, values and
// thresholds[].ok, the group tree's arrays of groups and checks) and throws when one is missing.
function need(v, what) {
  if (v === undefined || v === null) throw new Error(`summary data has no ${what}`);
  return v;
}

function groupLines(g, indent, out) {
  let inner = indent;
  if (g.name !== '') {
    out.push(`${indent}█ ${g.name}`);
    inner = `${indent}  `;
  }
  for (const c of need(g.checks, `checks in group "${g.name}"`)) {
    out.push(`${inner}${c.fails === 0 ? '✓' : '✗'} ${c.name} ${c.passes}/${c.fails}`);
  }
  for (const sub of need(g.groups, `groups in group "${g.name}"`)) groupLines(sub, inner, out);
}

export function textSummary(data, options = {}) {
  const opts = Object.assign({ indent: ' ' }, need(data.options, 'options'), options);
  const stats = need(opts.summaryTrendStats, 'options.summaryTrendStats');
  need(opts.summaryTimeUnit, 'options.summaryTimeUnit');
  const out = [];
  groupLines(need(data.root_group, 'root_group'), opts.indent, out);
  for (const name of Object.keys(data.metrics).sort()) {
    const m = data.metrics[name];
    need(m.contains, `${name}.contains`);
    const v = need(m.values, `${name}.values`);
    const fields = { trend: stats, counter: ['count', 'rate'], rate: ['rate', 'passes', 'fails'], gauge: ['value', 'min', 'max'] }[m.type];
    const cells = need(fields, `${name}.type`).map((f) => `${f}=${typeof need(v[f], `${name}.values.${f}`) === 'number' ? v[f] : 'NaN'}`);
    const mark = m.thresholds ? (Object.values(m.thresholds).every((t) => need(t.ok, `${name} threshold ok`) !== false) ? '✓' : '✗') : ' ';
    out.push(`${opts.indent}${mark} ${name}: ${cells.join(' ')}`);
  }
  return out.join('\n');
}
