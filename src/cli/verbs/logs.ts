// mfile logs [-f] [--tail N] [--since T] [-t] [NAME...]: the containers' output merged across machines, each
// line prefixed with name[machine]. -f follows until Ctrl-C (exit 130) or until every followed container stops.
import { PassThrough, Transform, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../../config/units.js';
import { DriverError } from '../../errors.js';
import { addConfigOptions, type ConfigOptions } from '../common.js';
import { reportError } from '../errors-to-exit.js';
import { lineSink } from '../line-sink.js';
import { openLiveProject } from '../live-project.js';
import { labelOf, parseSelector, select, type LiveContainer } from '../project-containers.js';

interface LogsOptions extends ConfigOptions {
  follow?: boolean;
  tail?: number;
  since?: number;
  timestamps?: boolean;
}

function parseTail(value: string): number {
  if (value === 'all') return -1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a number of lines or "all", got "${value}"`);
  return n;
}

/** Docker's forms: UNIX seconds, a timestamp (2026-12-02T04:00:00Z, 2026-12-02), or a duration back from now (10m). */
export function parseSince(value: string, now: number = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const ns = parseDuration(value);
  if (ns !== undefined) return Math.floor((now - ns / 1e6) / 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new InvalidArgumentError(`expected a timestamp (2026-12-02T04:00:00Z), UNIX seconds or a duration (10m), got "${value}"`);
  return Math.floor(at / 1000);
}

/**
 * A stream of the buffer in small pieces: docker-modem's demuxStream recurses once per frame of a chunk, so one
 * chunk holding a long log's thousands of frames overflows the stack.
 */
function smallPieces(size = 4096): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, callback): void {
      for (let at = 0; at < chunk.length; at += size) this.push(chunk.subarray(at, at + size));
      callback();
    },
  });
}

async function logsOf(c: LiveContainer, prefix: string, opts: LogsOptions): Promise<void> {
  const container = c.docker.getContainer(c.id);
  const tty = (await container.inspect()).Config.Tty;
  const common = { stdout: true, stderr: true, timestamps: opts.timestamps === true, ...(opts.tail !== undefined && opts.tail >= 0 ? { tail: opts.tail } : {}), ...(opts.since !== undefined ? { since: opts.since } : {}) };
  // Without follow the engine's whole answer comes as one buffer; a stream of it goes the same way as a followed one.
  const source: Readable = opts.follow
    ? ((await container.logs({ ...common, follow: true })) as Readable)
    : new PassThrough().end(await container.logs({ ...common, follow: false }));
  const out = lineSink(prefix);
  if (tty) {
    source.pipe(out);
    await finished(out);
    return;
  }
  // The engine multiplexes stdout and stderr on one stream when the container has no TTY; each gets its own
  // lines so a partial line of one is never joined to the other's.
  const err = lineSink(prefix);
  const pieces = source.pipe(smallPieces());
  c.docker.modem.demuxStream(pieces, out, err);
  await finished(pieces);
  out.end();
  err.end();
  await Promise.all([finished(out), finished(err)]);
}

export function logsCommand(): Command {
  return addConfigOptions(new Command('logs'), { fileShort: false })
    .description('the containers\' output merged across machines, each line prefixed with name[machine]')
    .argument('[NAME...]', 'containers: NAME or NAME[MACHINE] (default: all)')
    .option('-f, --follow', 'keep following until Ctrl-C or until every followed container stops')
    .option('--tail <N>', 'only the last N lines of each container ("all" for everything)', parseTail)
    .option('--since <T>', 'only lines since T: a timestamp, UNIX seconds or a duration back from now (10m)', (v: string) => parseSince(v))
    .option('-t, --timestamps', "prefix each line with the engine's timestamp")
    .action(async (names: string[], opts: LogsOptions) => {
      const selectors = names.map(parseSelector);
      const { list, conns } = await openLiveProject(opts);
      try {
        const chosen = select(list.containers, selectors);
        const width = Math.max(0, ...chosen.map((c) => labelOf(c).length));
        const prefix = (c: LiveContainer): string => `${labelOf(c).padEnd(width)} | `;
        const fail = (c: LiveContainer, e: unknown): void => {
          process.exitCode = reportError(new DriverError(c.machine, `logs of ${labelOf(c)}: ${(e as Error)?.message ?? String(e)}`));
        };
        if (opts.follow) {
          await Promise.all(chosen.map((c) => logsOf(c, prefix(c), opts).catch((e: unknown) => fail(c, e))));
        } else {
          // One container after another: the output of a run without -f reads the same every time.
          for (const c of chosen) await logsOf(c, prefix(c), opts).catch((e: unknown) => fail(c, e));
        }
      } finally {
        await conns.closeAll();
      }
    });
}
