// dockerode requires its BuildKit session module (which loads @grpc/grpc-js, @grpc/proto-loader and protobufjs),
// and docker-modem its ssh:// transport (which loads ssh2), as they load: ~0.13 s of CPU in every run that talks
// to an engine. mfile uses neither: it builds with the classic builder (no BuildKit session) and reaches engines
// over SSH through its own agent (src/remote/ssh), never docker-modem's ssh://. Each of the two modules exports a
// single function, so a stand-in that loads the real module on its first call takes its place in the require
// cache before dockerode loads. A package whose files are not where they are looked for is loaded as it is.
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** A stand-in for the CommonJS module at `file` (whose export is one function), loading it on first call. */
function defer(require: NodeJS.Require, file: string): void {
  if (require.cache[file] !== undefined || !existsSync(file)) return;
  let real: AnyFunction | undefined;
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    if (real === undefined) {
      delete require.cache[file];
      real = require(file) as AnyFunction;
    }
    return real.apply(this, args);
  };
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = standIn;
  require.cache[file] = m;
}

/** Loads dockerode with its BuildKit session and docker-modem's SSH transport deferred to their first use. */
export function requireDockerode(from: string): unknown {
  const require = createRequire(from);
  try {
    const main = require.resolve('dockerode');
    defer(require, path.join(path.dirname(main), 'session.js'));
    const modemMain = createRequire(main).resolve('docker-modem');
    defer(require, path.join(path.dirname(modemMain), 'ssh.js'));
  } catch {
    // not where they were looked for: dockerode loads everything itself, as it would anyway
  }
  return require('dockerode');
}
