// Whole lines, each prefixed, onto one output shared by many sources: a line is written in one call, so lines
// from different containers never interleave mid-line, and a slow reader holds the writers back (they wait for
// 'drain') instead of losing lines.
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import { maskText } from '../masking.js';
import { terminalText } from '../terminal-text.js';

/** Resolves when `out` can take more (at once when it can). */
function room(out: NodeJS.WritableStream, fits: boolean): Promise<void> {
  if (fits) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

/** A writable that splits what it is given into lines and writes each as `prefix + line` to `out`. */
export function lineSink(prefix: string, out: NodeJS.WritableStream = process.stdout): Writable {
  let partial = '';
  // A character split across two chunks is decoded once both have come.
  const decoder = new StringDecoder('utf8');
  const emit = (line: string): Promise<void> => room(out, out.write(prefix + terminalText(maskText(line.replace(/\r$/, ''))) + '\n'));
  return new Writable({
    decodeStrings: true,
    write(chunk: Buffer, _enc, callback): void {
      const lines = (partial + decoder.write(chunk)).split('\n');
      partial = lines.pop() ?? '';
      lines.reduce((p, l) => p.then(() => emit(l)), Promise.resolve()).then(() => callback(), callback);
    },
    final(callback): void {
      const last = partial + decoder.end();
      if (last === '') return callback();
      partial = '';
      emit(last).then(() => callback(), callback);
    },
  });
}
