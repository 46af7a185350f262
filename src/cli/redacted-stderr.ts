// Every byte speedguard writes to stderr passes through redactMessage (record/redact-messages.ts):
// error lines quote the user's input (a bad URL, header, env pair, plan field), warnings quote plan
// values, and worker threads' stderr is piped through this same stream. One choke point instead of
// a redaction call at each of the ~100 places a message is built: a new message cannot forget it.
import { rememberArgvSecrets, redactMessage } from '../record/redact-messages.ts';

let installed = false;

/** Remember the command line's secrets and redact every later stderr write. Idempotent. */
export function redactStderr(argv: readonly string[]): void {
  rememberArgvSecrets(argv);
  if (installed) return;
  installed = true;
  const stream = process.stderr;
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string') return write(redactMessage(chunk), ...rest);
    if (chunk instanceof Uint8Array) {
      // Bytes (worker threads' piped stderr) are text here; an encoding argument does not apply to them.
      return write(redactMessage(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')), ...rest);
    }
    return write(chunk, ...rest);
  }) as typeof stream.write;
}
