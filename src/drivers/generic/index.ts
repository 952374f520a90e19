// generic: an existing server over SSH. Nothing to create; remove never touches the server beyond what mfile
// installed (its containers are deleted by the executor; engine.uninstall also removes the daemon config), and
// reaches it only at the address and with the host key the state recorded.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { connect } from 'node:net';
import { DriverError } from '../../errors.js';
import type { SshAddress } from '../../model/index.js';
import {
  factsCommand,
  removeEngineConfigCommand,
  stopDockerdCommand,
  systemdRestartCommands,
} from '../../remote/provision/commands.js';
import { parseFacts } from '../../remote/provision/facts.js';
import { engineEndpointFor } from '../../remote/provision/provision.js';
import { sshPool } from '../../remote/ssh/pool.js';
import { ensureMachineDir } from '../../remote/tls/store.js';
import type { CreateResponse, Driver, EngineEndpoint, MachineRequest, StatusResponse } from '../driver.js';
import { engineService, type EngineOperation } from '../engine-service.js';
import { genericAddress } from './options.js';
import { genericTraits } from './traits.js';

/** TCP connect to the SSH port and read the banner (no login). */
function banner(host: string, port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, timeout: timeoutMs });
    const done = (err: Error | null, v = '') => {
      s.destroy();
      if (err) reject(err);
      else resolve(v);
    };
    s.once('data', (b: Buffer) => done(null, b.toString('latin1').split('\r\n')[0]));
    s.once('timeout', () => done(new Error(`no answer within ${timeoutMs} ms`)));
    s.once('error', (e) => done(e));
  });
}

async function readable(machine: string, what: string, file: string | undefined): Promise<void> {
  if (file === undefined) return;
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DriverError(machine, `${what} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable' : (e as Error).message}`);
  }
}

/** The power verbs act on the server's Docker service (never the server itself), at the recorded address. */
function power(op: EngineOperation) {
  return async (req: MachineRequest): Promise<void> => {
    const prior = req.prior;
    if (!prior?.ssh) throw new DriverError(req.machine.name, 'mfile never logged in to this server: run mfile apply first');
    await engineService(req, { address: prior.ssh, hostKeyFingerprint: prior.hostKeyFingerprint, jumpHostKeyFingerprint: prior.jumpHostKeyFingerprint }, op);
  };
}

export function genericDriver(): Driver {
  return {
    name: genericTraits.name,
    traits: genericTraits,

    async preCreateCheck(req) {
      const a = genericAddress(req.machine);
      // A key file named in the block must be there to log in with; the agent needs no file.
      await readable(req.machine.name, 'generic.identity_file', a.identityFile);
      await readable(req.machine.name, 'generic.jump.identity_file', a.jump?.identityFile);
    },

    async create(req): Promise<CreateResponse> {
      const a = genericAddress(req.machine);
      if (!a.jump) {
        // Reachability only; the machine step logs in next (through the jump host, if any).
        try {
          await banner(a.host, a.port, 10_000);
        } catch (e) {
          throw new DriverError(req.machine.name, `SSH port ${a.host}:${a.port} is not reachable: ${(e as Error).message}`);
        }
      }
      // The machine's folder (known_hosts, certificates) is made here, as the sandbox driver makes its own.
      await ensureMachineDir(req.ctx.stateDir, req.machine.name);
      return { driverData: { host: a.host, port: a.port } };
    },

    start: power('start'),
    stop: power('stop'),
    restart: power('restart'),
    kill: power('kill'),

    async remove(req) {
      if (!req.machine.engine.uninstall) return;
      // The server the state recorded, with its pinned keys: machines.yml may already name another one.
      const prior = req.prior;
      if (!prior?.ssh) {
        req.ctx.log?.(`${req.machine.name}: mfile never logged in to the previous server: nothing to clean up`);
        return;
      }
      if (!prior.hostKeyFingerprint || (prior.ssh.jump && !prior.jumpHostKeyFingerprint)) {
        const where = `${prior.ssh.user}@${prior.ssh.host}:${prior.ssh.port}`;
        throw new DriverError(
          req.machine.name,
          `refusing to connect to ${where} to clean it up: no host key pinned for it (or its jump host); ` +
            'set engine.uninstall: false to leave that server as it is',
        );
      }
      // A pooled connection may lead to the new address; the removal opens its own (which requires the pins too).
      await sshPool().drop(req.machine.name);
      const session = await sshPool().get({
        machine: req.machine.name,
        address: prior.ssh,
        pinnedFingerprint: prior.hostKeyFingerprint,
        pinnedJumpFingerprint: prior.jumpHostKeyFingerprint,
        requirePin: true,
        timeoutMs: 20_000,
        signal: req.ctx.signal,
      });
      const facts = parseFacts((await session.exec(factsCommand())).stdout);
      req.ctx.log?.(`${req.machine.name}: removing mfile's daemon configuration`);
      await session.exec(removeEngineConfigCommand());
      // Back to the stock daemon: systemd restarts docker without mfile's TLS listener; without systemd,
      // the dockerd mfile started is stopped.
      if (facts.systemd) for (const argv of systemdRestartCommands()) await session.exec(argv);
      else await session.exec(stopDockerdCommand(false));
      await sshPool().drop(req.machine.name);
    },

    async status(req): Promise<StatusResponse> {
      // Not created by mfile yet (no record): nothing to observe, and no client certificate to reach its engine.
      if (req.driverData.host === undefined) return { status: 'missing', detail: 'not provisioned by mfile yet' };
      const a = genericAddress(req.machine);
      if (a.jump) return { status: 'unknown', detail: 'behind a jump host: not probed' };
      try {
        await banner(a.host, a.port, 5000);
        return { status: 'running' };
      } catch (e) {
        return { status: 'error', detail: `SSH ${a.host}:${a.port}: ${(e as Error).message}` };
      }
    },

    async address(req): Promise<SshAddress> {
      return genericAddress(req.machine);
    },

    async engineUrl(req): Promise<EngineEndpoint> {
      return engineEndpointFor(req.machine, req.ctx.stateDir, genericAddress(req.machine).host);
    },
  };
}
