// What a k6 script's handleSummary() returns, written as k6 writes it: "stdout" and "stderr" to the
// streams, any other key to the file it names (folders created), strings as text and buffers as bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** handleSummary's answer: { stdout, stderr, "<path>": string | ArrayBuffer }. */
export function writeSummaryOutputs(out: unknown): void {
  if (out === null || typeof out !== 'object') return;
  for (const [key, value] of Object.entries(out as Record<string, unknown>)) {
    const bytes =
      value instanceof ArrayBuffer
        ? Buffer.from(value)
        : ArrayBuffer.isView(value)
          ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
          : String(value);
    if (key === 'stdout') process.stdout.write(bytes);
    else if (key === 'stderr') process.stderr.write(bytes);
    else {
      mkdirSync(dirname(resolve(key)), { recursive: true });
      writeFileSync(key, bytes);
    }
  }
}
