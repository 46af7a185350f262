// Writes every report of one assessment under the output directory (ASSESSMENT-RULES.md §1 names):
//   ANALYSIS/<targetName>-<timestamp>.md    evidence report      (markdown-analysis.ts)
//   ANALYSIS/<targetName>-<timestamp>.json  assessment envelope  (envelope.ts, ASSESSMENT-RULES.md §5)
//   ANALYSIS/<targetName>-<timestamp>.html  HTML report          (html.ts, imported only here)
//   LOAD_TESTS/TEST-<timestamp>.md          load-test report     (markdown-load-test.ts)
//   LOAD_TESTS/TEST-<timestamp>.json        the AssessmentRecord itself
//   LOAD_TESTS/TEST-<timestamp>.xml         JUnit XML            (junit.ts)
// plus the GitHub job summary when $GITHUB_STEP_SUMMARY is set.
//
// The load-test JSON is the whole AssessmentRecord, not a second envelope: it is the one source
// every renderer reads, so the files alone can be re-rendered (`speedguard report`) or re-analysed
// without the history database, and there is no second format to keep in step with the first.
// The timestamp is the record's start in UTC (20261125-103000), so re-rendering a stored record
// rewrites the same files instead of adding new ones.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename as base, isAbsolute, join } from 'node:path';
import type { Severity } from '../record/findings.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { targetProbesOf } from '../record/target-probes.ts';
import { buildEnvelope, type EnvelopeOptions } from './envelope.ts';
import { fileSafe } from './escape.ts';
import { appendGithubSummary } from './github-summary.ts';
import { renderJUnit } from './junit.ts';
import { renderAnalysisMarkdown } from './markdown-analysis.ts';
import { renderLoadTestMarkdown } from './markdown-load-test.ts';
import { fileTimestamp } from './phase-figures.ts';

export { renderTerminalFindings } from './terminal-findings.ts';

export type HtmlRenderer = (record: AssessmentRecord) => string;

export interface WriteReportsOptions {
  /** Findings at or above this severity become JUnit test cases (default "medium"). */
  junitMinSeverity?: Severity;
  envelope?: EnvelopeOptions;
  /** Environment to read GITHUB_STEP_SUMMARY from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Replaces the lazy import of ./html.ts (tests; null = no HTML renderer available). */
  loadHtmlRenderer?: () => Promise<HtmlRenderer | null>;
}

/** The paths written, in order; `skipped` says which reports were not written and why. */
export type WrittenReports = string[] & {
  skipped: Array<{ file: string; reason: string }>;
  /** The GitHub step summary file appended to, or null. */
  githubSummary: string | null;
};

export interface ReportPaths {
  analysisMd: string;
  analysisJson: string;
  analysisHtml: string;
  loadTestMd: string;
  loadTestJson: string;
  loadTestXml: string;
}

export function reportPaths(record: AssessmentRecord, outDir: string): ReportPaths {
  const ts = fileTimestamp(record.startedAt);
  const analysis = join(outDir, 'ANALYSIS', `${fileSafe(record.targetName)}-${ts}`);
  const test = join(outDir, 'LOAD_TESTS', `TEST-${ts}`);
  return {
    analysisMd: `${analysis}.md`,
    analysisJson: `${analysis}.json`,
    analysisHtml: `${analysis}.html`,
    loadTestMd: `${test}.md`,
    loadTestJson: `${test}.json`,
    loadTestXml: `${test}.xml`,
  };
}

/** Write then rename: a report is either absent or whole, even if the process is killed mid-write. */
function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Loaded when an HTML report is written: no other report or command pays for the renderer. */
async function importHtmlRenderer(): Promise<HtmlRenderer> {
  return (await import('./html.ts')).renderHtmlReport;
}

export async function writeAssessmentReports(
  record: AssessmentRecord,
  outDir: string,
  opts: WriteReportsOptions = {},
): Promise<WrittenReports> {
  const p = reportPaths(record, outDir);
  mkdirSync(join(outDir, 'ANALYSIS'), { recursive: true });
  mkdirSync(join(outDir, 'LOAD_TESTS'), { recursive: true });
  const written: string[] = [];
  const skipped: WrittenReports['skipped'] = [];
  const put = (path: string, text: string) => {
    writeWhole(path, text);
    written.push(path);
  };

  let html: HtmlRenderer | null = null;
  try {
    html = await (opts.loadHtmlRenderer ?? importHtmlRenderer)();
    if (!html) skipped.push({ file: p.analysisHtml, reason: 'no HTML renderer (src/report/html.ts) in this build' });
  } catch (e) {
    skipped.push({ file: p.analysisHtml, reason: `HTML renderer failed to load: ${(e as Error).message}` });
  }

  put(
    p.analysisMd,
    renderAnalysisMarkdown(record, {
      links: [
        { label: 'load test report', href: `../LOAD_TESTS/${base(p.loadTestMd)}` },
        { label: 'JSON envelope', href: base(p.analysisJson) },
        ...(html ? [{ label: 'HTML report', href: base(p.analysisHtml) }] : []),
      ],
    }),
  );
  put(p.analysisJson, JSON.stringify(buildEnvelope(record, opts.envelope), null, 2) + '\n');
  if (html) {
    try {
      put(p.analysisHtml, html(record));
    } catch (e) {
      // The other reports still get written; the caller prints the reason.
      skipped.push({ file: p.analysisHtml, reason: `HTML report failed: ${(e as Error).message}` });
    }
  }
  put(
    p.loadTestMd,
    renderLoadTestMarkdown(record, {
      title: base(p.loadTestMd).replace(/\.md$/, ''),
      links: [
        { label: 'analysis', href: `../ANALYSIS/${base(p.analysisMd)}` },
        { label: 'JUnit XML', href: base(p.loadTestXml) },
        { label: 'record (JSON)', href: base(p.loadTestJson) },
      ],
    }),
  );
  put(p.loadTestJson, JSON.stringify(record) + '\n');
  put(p.loadTestXml, renderJUnit(record, { minSeverity: opts.junitMinSeverity }));
  // The profiles the probes saved during the run are files this command wrote too: list them.
  written.push(...profileFiles(record, outDir));

  const githubSummary = appendGithubSummary(record, written, opts.env ?? process.env);
  return Object.assign(written, { skipped, githubSummary });
}

/** The .cpuprofile and .heapprofile files a profiled run saved (they exist: a failed save is not listed). */
export function profileFiles(record: AssessmentRecord, outDir: string): string[] {
  const t = targetProbesOf(record);
  const paths = [t?.cpuProfile?.path, t?.heapProfile?.path, t?.heapAllocationProfile?.path]
    .filter((x): x is string => typeof x === 'string' && x !== '')
    // Relative paths are relative to the report folder (where the probes save them).
    .map((x) => (isAbsolute(x) ? x : join(outDir, 'ANALYSIS', x)));
  return paths.filter((x) => existsSync(x));
}
