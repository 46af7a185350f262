// `speedguard report --format md|html|junit|json --out-dir DIR` on an assessment: only the reports of
// one kind, under the names the full set gives them (ANALYSIS/…, LOAD_TESTS/…). Every report is
// rendered into a scratch folder as the full set would be (links between them included) and the
// asked-for files are copied out. No GitHub step summary: that belongs to the full report.
// The writer is passed in, so that this file stays small for the CLI to import (the renderers load
// only when an assessment is rendered).
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { WriteReportsOptions, WrittenReports } from './write-reports.ts';

/** The files of one kind among an assessment's reports. */
export type ReportKind = '.md' | '.html' | '.xml' | '.json';

type WriteAll = (record: AssessmentRecord, outDir: string, opts: WriteReportsOptions) => Promise<WrittenReports>;

export async function writeReportsOfKind(
  kind: ReportKind,
  record: AssessmentRecord,
  outDir: string,
  opts: WriteReportsOptions,
  writeAll: WriteAll,
): Promise<WrittenReports> {
  const scratch = await mkdtemp(join(tmpdir(), 'speedguard-report-'));
  try {
    const result = await writeAll(record, scratch, { ...opts, env: {} });
    const skipped = (result.skipped ?? [])
      .filter((s) => extname(s.file) === kind)
      .map((s) => ({ ...s, file: join(outDir, relative(scratch, s.file)) }));
    const written: string[] = [];
    for (const p of result) {
      if (extname(p) !== kind) continue;
      const dest = join(outDir, relative(scratch, resolve(scratch, p)));
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(resolve(scratch, p), dest);
      written.push(dest);
    }
    return Object.assign(written, { skipped, githubSummary: null });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
