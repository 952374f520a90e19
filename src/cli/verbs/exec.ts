// mfile exec NAME[MACHINE] [-- CMD...]: a command in a container, with a TTY when stdin is one (raw mode, the
// terminal's size followed), else stdin, stdout and stderr streamed apart. Exits with the command's exit code.
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import type Docker from 'dockerode';
import { DriverError, UsageError } from '../../errors.js';
import { addConfigOptions, type ConfigOptions } from '../common.js';
import { openLiveProject } from '../live-project.js';
import { labelOf, parseSelector, pickOne } from '../project-containers.js';

/** The exec's exit code; the engine may report it a moment after the stream has ended. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await delay(20);
  }
  throw new Error('the engine did not report the exit code of the command');
}

async function withTty(exec: Docker.Exec, stream: Duplex): Promise<void> {
  const stdin = process.stdin;
  const resize = (): void => {
    if (process.stdout.columns && process.stdout.rows) exec.resize({ h: process.stdout.rows, w: process.stdout.columns }).catch(() => undefined);
  };
  stdin.setRawMode(true);
  try {
    resize();
    process.stdout.on('resize', resize);
    stdin.pipe(stream);
    stream.pipe(process.stdout, { end: false });
    await finished(stream).catch(() => undefined);
  } finally {
    process.stdout.off('resize', resize);
    stdin.unpipe(stream);
    stdin.setRawMode(false);
    stdin.pause();
  }
}

async function withoutTty(docker: Docker, stream: Duplex): Promise<void> {
  // End of our stdin is passed on (the command sees EOF) while its output keeps coming.
  process.stdin.pipe(stream);
  docker.modem.demuxStream(stream, process.stdout, process.stderr);
  await finished(stream, { writable: false }).catch(() => undefined);
  process.stdin.unpipe(stream);
  process.stdin.pause();
}

export function execCommand(): Command {
  return addConfigOptions(new Command('exec'))
    .description('run a command in a container (default: sh), with a TTY when stdin is a terminal')
    .argument('<NAME>', 'NAME, or NAME[MACHINE] when the container runs on several machines')
    .argument('[CMD...]', 'the command and its arguments, after --')
    .option('--machine <MACHINE>', 'the machine whose container to use, when it runs on several (as NAME[MACHINE])')
    .action(async (name: string, cmd: string[], opts: ConfigOptions & { machine?: string }) => {
      const selector = parseSelector(name);
      if (opts.machine !== undefined) {
        if (selector.machine !== undefined && selector.machine !== opts.machine) {
          throw new UsageError(`${name} and --machine ${opts.machine} name different machines`);
        }
        selector.machine = opts.machine;
      }
      const { list, conns } = await openLiveProject(opts);
      try {
        const c = pickOne(list.containers, selector);
        const tty = process.stdin.isTTY === true && process.stdout.isTTY === true;
        try {
          const exec = await c.docker.getContainer(c.id).exec({
            Cmd: cmd.length > 0 ? cmd : ['sh'],
            AttachStdin: true,
            AttachStdout: true,
            AttachStderr: true,
            Tty: tty,
            ...(tty ? { Env: [`TERM=${process.env.TERM ?? 'xterm'}`] } : {}),
          });
          const stream = (await exec.start({ hijack: true, stdin: true, Tty: tty })) as Duplex;
          if (tty) await withTty(exec, stream);
          else await withoutTty(c.docker, stream);
          process.exitCode = await exitCodeOf(exec);
        } catch (e) {
          throw new DriverError(c.machine, `exec in ${labelOf(c)}: ${(e as Error)?.message ?? String(e)}`);
        }
      } finally {
        await conns.closeAll();
      }
    });
}
