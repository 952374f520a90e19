// `mfile driver test PATH`: what a plugin author runs to see whether a plugin keeps the protocol. It creates
// nothing: it calls the operations that need no host (on a machine that was never created) and checks the shape
// of every answer and error.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { DriverTraits } from '../../model/driver-traits.js';
import { toTraits } from './describe.js';
import { PluginFailure } from './failure.js';
import { METHOD_NOT_FOUND, PLUGIN_PREFIX, type MachineMethod, type MachineParams } from './protocol.js';
import { PluginSession } from './runner.js';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

const STATUSES = ['running', 'stopped', 'missing', 'unknown', 'error'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Outcome = { result: unknown } | { error: PluginFailure };

async function attempt(s: PluginSession, method: string, params: unknown): Promise<Outcome> {
  try {
    return { result: await s.call(method, params) };
  } catch (err) {
    if (err instanceof PluginFailure) return { error: err };
    throw err;
  }
}

/** An error answer that says something: a JSON-RPC error with an integer code and a one-line message. */
function wellFormedError(e: PluginFailure): string | undefined {
  if (e.code === undefined) return e.message; // not an error answer: an exit, a timeout, garbage
  if (!Number.isInteger(e.code)) return `error code ${String(e.code)} is not an integer`;
  if (/error -?\d+ without a message$/.test(e.message)) return 'error has no message';
  return undefined;
}

/** The shape each operation's answer must have (undefined when it fits). */
function shapeProblem(method: MachineMethod, r: unknown, traits: DriverTraits): string | undefined {
  switch (method) {
    case 'status':
      return isObject(r) && STATUSES.includes(r.status as string) ? undefined : `"status" must be one of ${STATUSES.join(', ')}`;
    case 'address':
      if (r === null) return traits.provisioned ? 'a provisioned driver answered null' : undefined;
      return isObject(r) && typeof r.host === 'string' && (r.port === undefined || Number.isInteger(r.port)) ? undefined : 'answer needs "host" (and an integer "port")';
    case 'engineUrl':
      return isObject(r) && ((r.kind === 'tcp' && typeof r.host === 'string' && Number.isInteger(r.port)) || (r.kind === 'unix' && typeof r.socketPath === 'string'))
        ? undefined
        : 'answer is neither {"kind":"tcp",host,port} nor {"kind":"unix",socketPath}';
    case 'create':
      return isObject(r) && isObject(r.driverData) ? undefined : 'answer has no "driverData" object';
    default:
      return isObject(r) && (r.driverData === undefined || isObject(r.driverData)) ? undefined : 'answer must be an object ({} or {"driverData":{...}})';
  }
}

export async function checkPlugin(path: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, problem: string | undefined): boolean => {
    checks.push(problem === undefined ? { name, ok: true } : { name, ok: false, detail: problem });
    return problem === undefined;
  };
  const env = opts.env ?? process.env;
  const file = basename(path);
  const work = await mkdtemp(join(tmpdir(), 'mfile-driver-test-'));
  let s: PluginSession | undefined;
  try {
    try {
      s = await PluginSession.open(path, { env });
      add('starts and answers the handshake with protocol 1.x', undefined);
    } catch (err) {
      add('starts and answers the handshake with protocol 1.x', (err as Error).message);
      return checks;
    }

    const d = await attempt(s, 'describe', {});
    let traits: DriverTraits | undefined;
    if ('error' in d) add('describe answers', d.error.message);
    else {
      const name = file.startsWith(PLUGIN_PREFIX) ? file.slice(PLUGIN_PREFIX.length) : String((d.result as { name?: unknown })?.name);
      try {
        traits = toTraits(path, name, d.result).traits;
        add(`describe: traits fit and the name is "${name}"`, undefined);
        add(traits.blockSchema ? `describe: the schema of the "${traits.block}" block compiles` : 'describe: no block', undefined);
      } catch (err) {
        add('describe: traits fit, the name matches the file and the block schema compiles', (err as Error).message);
      }
    }

    if (traits) {
      const stateDir = join(work, '.mfile');
      const params: MachineParams = {
        machine: { name: 'conformance', options: {}, engine: { port: 2376, transport: 'tcp' } },
        driverData: {},
        project: 'conformance',
        stateDir,
        machineDir: join(stateDir, 'machines', 'conformance'),
      };
      const ops: MachineMethod[] = ['preCreateCheck', 'status', traits.provisioned ? 'address' : 'engineUrl', ...traits.lifecycle, 'remove'];
      for (const op of ops) {
        const r = await attempt(s, op, params);
        // On a machine never created, an operation may refuse (with a proper error) but must not break the protocol.
        if ('error' in r) add(`${op} answers or refuses with a well-formed error`, wellFormedError(r.error));
        else add(`${op} answers with the right shape`, shapeProblem(op, r.result, traits));
      }
      const refused = (['start', 'stop', 'restart', 'kill'] as const).filter((op) => !traits!.lifecycle.includes(op));
      for (const op of refused) {
        const r = await attempt(s, op, params);
        add(`${op} (not declared) is refused with a well-formed error`, 'error' in r ? wellFormedError(r.error) : 'it answered as if it were supported');
      }
    }

    const unknown = await attempt(s, 'mfile.noSuchMethod', {});
    add(
      `an unknown method gets the JSON-RPC error ${METHOD_NOT_FOUND} (method not found)`,
      'error' in unknown ? (unknown.error.code === METHOD_NOT_FOUND ? undefined : wellFormedError(unknown.error) ?? `code ${unknown.error.code}`) : 'it answered',
    );
    add('exits when its stdin closes', (await s.close()) ? undefined : 'still running 5 s after stdin closed (killed)');
    s = undefined;

    const other = await PluginSession.open(path, { env, noHandshake: true });
    const v = await attempt(other, 'handshake', { protocol: '2.0', client: 'mfile driver test' });
    await other.close();
    add(
      'refuses protocol 2.0 with a well-formed error',
      'error' in v ? wellFormedError(v.error) : /^2\./.test(String((v.result as { protocol?: unknown })?.protocol)) ? 'it claims to speak 2.x' : undefined,
    );
    return checks;
  } finally {
    await s?.close();
    await rm(work, { recursive: true, force: true });
  }
}
