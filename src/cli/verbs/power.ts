// mfile start|stop|restart|kill NAME...: a machine's power, through its driver, machines in parallel. stop and
// kill record a hold on the machine's state record (apply then leaves it stopped); start and restart clear it.
import { Command } from 'commander';
import { DriverError, MfileError, UsageError } from '../../errors.js';
import type { MachineHold } from '../../model/index.js';
import { lifecycleRefusal } from '../../drivers/lifecycle-refusal.js';
import { closeSshPool } from '../../remote/ssh/pool.js';
import { StateStore } from '../../state/index.js';
import { addConfigOptions, loadDesired, out, resolveStatePath, warn, type ConfigOptions } from '../common.js';
import { reportError } from '../errors-to-exit.js';
import { machineTarget, requireCreated, type MachineTarget } from '../machine-target.js';

type PowerVerb = 'start' | 'stop' | 'restart' | 'kill';

const ABOUT: Record<PowerVerb, [string, string]> = {
  start: ['start machines held stopped (their Docker engine, and containers with a restart policy)', 'Started'],
  stop: ['stop machines; apply leaves them stopped until mfile start', 'Stopped'],
  restart: ['stop and start machines (clears a hold)', 'Restarted'],
  kill: ['stop machines at once, without a grace period; apply leaves them stopped until mfile start', 'Killed'],
};

async function powerOne(verb: PowerVerb, t: MachineTarget): Promise<void> {
  // The driver says which operations it has: the others are refused before it is asked, whatever the state holds.
  if (!t.driver.traits.lifecycle.includes(verb)) throw lifecycleRefusal(t.name, t.driver.traits, verb);
  if (t.driver.traits.provisioned) requireCreated(t);
  await t.driver[verb](t.request);
}

function powerCommand(verb: PowerVerb): Command {
  const [about, done] = ABOUT[verb];
  return addConfigOptions(new Command(verb))
    .description(about)
    .argument('<NAME...>', 'machine names')
    .action(async (names: string[], opts: ConfigOptions) => {
      const desired = await loadDesired(opts);
      const statePath = resolveStatePath(opts);
      const store = new StateStore(statePath);
      const lock = await store.lock(verb, { notice: warn });
      try {
        const state = await store.read();
        const unique = [...new Set(names)];
        // A mistyped name stops the whole command before anything is powered, naming every unknown one.
        const unknown = unique.filter((n) => !desired.machines[n] && !state.machines[n]);
        if (unknown.length > 0) throw new UsageError(`no machine named ${unknown.join(', ')} in machines.yml or the state: nothing was done`);
        const targets = unique.map((n) => machineTarget(desired, state, statePath, n));
        const results = await Promise.allSettled(targets.map((t) => powerOne(verb, t)));
        const hold: MachineHold | undefined = verb === 'stop' || verb === 'kill' ? { verb, at: new Date().toISOString() } : undefined;
        let changed = false;
        targets.forEach((t, i) => {
          const rec = state.machines[t.name];
          if (!rec || !t.driver.traits.provisioned) return;
          // New pids (a started sandbox) are kept even when the engine then failed to start.
          if (JSON.stringify(rec.driverData) !== JSON.stringify(t.request.driverData)) {
            rec.driverData = t.request.driverData;
            changed = true;
          }
          if (results[i].status !== 'fulfilled') return;
          if (hold) rec.hold = hold;
          else delete rec.hold;
          rec.updatedAt = new Date().toISOString();
          changed = true;
        });
        if (changed) await store.write(state);
        let code = 0;
        targets.forEach((t, i) => {
          const r = results[i];
          if (r.status === 'fulfilled') return out(`${done} ${t.name}`);
          const err = r.reason instanceof MfileError ? r.reason : new DriverError(t.name, (r.reason as Error)?.message ?? String(r.reason));
          code = Math.max(code, reportError(err));
        });
        if (code !== 0) process.exitCode = code;
      } finally {
        await closeSshPool().catch(() => undefined);
        await lock.release();
      }
    });
}

export function powerCommands(): Command[] {
  return (['start', 'stop', 'restart', 'kill'] as const).map(powerCommand);
}
