// Leaving a finished run: process.exit() drops whatever stdout and stderr have not yet handed to a pipe (a slow
// reader gets a cut plan), while waiting for the event loop lets an open socket keep the run alive. So: wait until
// both streams have written everything, then exit.
type Out = NodeJS.WriteStream;

/** Resolves once every chunk written to the stream before this call is written (or the stream failed). */
function written(stream: Out): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  // Chunks are written in order, so the callback of an empty one runs after all earlier ones are through.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * A reader that closes the pipe early (`| head`) must not turn into a crash report: the output is simply
 * unwanted from then on, and the run finishes (lock released, exit code kept).
 */
export function tolerateClosedReaders(streams: Out[] = [process.stdout, process.stderr]): void {
  for (const s of streams) s.on('error', () => undefined);
}

export async function exitWhenWritten(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([written(process.stdout), written(process.stderr)]);
  process.exit(code);
}
