// Runs loadConfig (the built dist/, same source) in a worker thread with a watchdog: a variant that hangs is
// reported as a failure and the worker replaced, instead of blocking the whole suite forever.
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { REPO_ROOT } from '../../helpers/cli.js';

export interface LoadOutcome {
  /** 'ok' (a Desired), 'config-error', 'other-error' or 'hung' (watchdog fired). */
  result: 'ok' | 'config-error' | 'other-error' | 'hung';
  ms: number;
  /** CPU time while loading: tells a slow loader from a busy machine. */
  cpuMs?: number;
  issues?: { file: unknown; line: unknown; col: unknown; message: unknown }[];
  error?: string;
  /** Process warnings emitted while loading (they would reach stderr). */
  warnings: string[];
  /** Names in the Desired, to check that nothing unsafe got through. */
  names?: { project: string; machines: string[]; containers: string[]; networks: string[]; volumes: string[] };
}

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const warnings = [];
process.on('warning', (w) => warnings.push(String(w && w.message || w)));
let mods;
parentPort.on('message', async ({ file }) => {
  mods ??= await Promise.all([import(${JSON.stringify('CONFIG')}), import(${JSON.stringify('ERRORS')}), import(${JSON.stringify('CATALOG')})]);
  const [{ loadConfig }, { ConfigError }, { builtinCatalog }] = mods;
  warnings.length = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let out;
  try {
    const d = await loadConfig({ file, env: { HOME: '/home/fuzz' } }, builtinCatalog());
    out = { result: 'ok', names: { project: d.project, machines: Object.keys(d.machines), containers: Object.keys(d.containers),
      networks: Object.keys(d.networks), volumes: Object.keys(d.volumes) } };
  } catch (err) {
    out = err instanceof ConfigError
      ? { result: 'config-error', issues: err.issues.map((i) => ({ file: i.file, line: i.line, col: i.col, message: i.message })) }
      : { result: 'other-error', error: String(err && err.stack || err) };
  }
  out.ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  out.cpuMs = (c.user + c.system) / 1000; // process-wide, but the test's thread is idle meanwhile
  await new Promise((r) => setImmediate(r)); // let emitted warnings arrive
  out.warnings = [...warnings];
  parentPort.postMessage(out);
});
`;

export class FuzzLoader {
  private worker: Worker | undefined;

  private start(): Worker {
    const url = (p: string): string => pathToFileURL(path.join(REPO_ROOT, p)).href;
    const src = WORKER_SOURCE.replace('"CONFIG"', JSON.stringify(url('dist/config/index.js'))).replace('"ERRORS"', JSON.stringify(url('dist/errors.js'))).replace('"CATALOG"', JSON.stringify(url('dist/drivers/catalog.js')));
    // A stack as big as the CLI's main thread, so deep nesting behaves as it does for users.
    return new Worker(src, { eval: true, resourceLimits: { stackSizeMb: 1 } });
  }

  /** Loads `file`; gives up after `hangMs` (the worker is then terminated and replaced). */
  async load(file: string, hangMs: number): Promise<LoadOutcome> {
    const w = (this.worker ??= this.start());
    const t0 = performance.now();
    return new Promise<LoadOutcome>((resolve) => {
      const done = (o: LoadOutcome): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        resolve(o);
      };
      const onMessage = (o: LoadOutcome): void => done(o);
      const onError = (err: Error): void => {
        this.worker = undefined;
        done({ result: 'other-error', ms: performance.now() - t0, error: `worker died: ${err.stack ?? String(err)}`, warnings: [] });
      };
      const timer = setTimeout(() => {
        this.worker = undefined;
        void w.terminate();
        done({ result: 'hung', ms: performance.now() - t0, warnings: [] });
      }, hangMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage({ file });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
