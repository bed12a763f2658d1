import { Writable } from 'node:stream';

/** A pino destination that keeps every line written to it, for tests that read the logs. */
export function logLineSink(): { readonly sink: Writable; readonly lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { sink, lines };
}
