import { spawn, type ChildProcess } from 'node:child_process';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function run(script: string, args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Resolves with the first stdout line. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        child.stdout!.off('data', onData);
        resolve(buf.slice(0, nl));
      }
    };
    child.stdout!.on('data', onData);
    child.once('close', (code) => reject(new Error(`child exited (${code}) before printing a line`)));
  });
}

/** Reads stdout line by line: each call resolves with the next line (rejects if the child ends first). */
export function lineReader(child: ChildProcess): () => Promise<string> {
  let buf = '';
  let closed = false;
  const waiting: (() => void)[] = [];
  const wake = (): void => waiting.splice(0).forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => ((buf += d.toString()), wake()));
  child.once('close', () => ((closed = true), wake()));
  return async function next(): Promise<string> {
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      if (closed) throw new Error(`child exited before printing a line (got ${JSON.stringify(buf)})`);
      await new Promise<void>((r) => waiting.push(r));
    }
  };
}
