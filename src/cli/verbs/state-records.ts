// `mfile state list|show|rm|mv`: read and edit the records of the state file, as Terraform's state verbs do.
// rm and mv take the state lock and raise the serial; none of them touches a machine.
import { Command } from 'commander';
import { didYouMeanAddress } from '../near-addresses.js';
import type { Desired, State } from '../../model/index.js';
import { parseAddress, targetMatcher } from '../../plan/names.js';
import { editState, moveRecord, recordAt, removeRecords, stateAddresses, StateStore } from '../../state/index.js';
import { UsageError } from '../../errors.js';
import { addConfigOptions, loadDesired, out, resolveStatePath, warn, type ConfigOptions } from '../common.js';
import { parseDurationMs } from '../options.js';
import { renderRecord } from './state-record-text.js';
import path from 'node:path';
import { rename, stat } from 'node:fs/promises';
import type { MoveChecks } from '../../state/state-edit.js';
import { engineName, networkEngineName, volumeEngineName } from '../../model/engine-names.js';
import { traitsOf } from '../../model/driver-traits.js';
import { builtinCatalog } from '../../drivers/catalog.js';
import { machineDir } from '../../remote/tls/store.js';
import { connect } from '../connect.js';

/** The engine name of the network recorded at `address`, asked of its machine's engine; undefined if it cannot say. */
async function networkNameOnEngine(desired: Desired | undefined, state: State, address: string, statePath: string): Promise<string | undefined> {
  const rec = state.objects[address];
  if (!desired || rec?.kind !== 'network' || !rec.id) return undefined;
  const conns = connect(desired, { current: state }, statePath);
  try {
    const docker = await conns.docker(rec.machine);
    return ((await docker.getNetwork(rec.id).inspect()) as { Name: string }).Name;
  } catch {
    return undefined;
  } finally {
    await conns.closeAll().catch(() => undefined);
  }
}

/** .mfile/machines/SRC (keys and certificates) follows the machine's record to its new name. */
async function moveMachineDir(stateDir: string, from: string, to: string): Promise<void> {
  const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);
  const a = machineDir(stateDir, from);
  const b = machineDir(stateDir, to);
  if ((await exists(a)) && !(await exists(b))) await rename(a, b);
}

interface EditOptions extends ConfigOptions {
  lockTimeout: number;
}

const readState = (opts: ConfigOptions): Promise<State> => new StateStore(resolveStatePath(opts)).read();

/** machines.yml when it loads (its sensitive values then join the masker); undefined when it does not. */
async function desiredIfAny(opts: ConfigOptions): Promise<Desired | undefined> {
  try {
    return await loadDesired(opts);
  } catch {
    return undefined;
  }
}

function notInState(address: string, known: string[]): UsageError {
  return new UsageError(`${address} is not in the state${didYouMeanAddress(address, known)}; see mfile state list`);
}

export function stateRecordCommands(): Command[] {
  const list = addConfigOptions(new Command('list'))
    .description('list the addresses the state records, sorted (optionally those matching addresses or globs)')
    .argument('[ADDR...]', 'addresses or globs, e.g. container.web[*]')
    .action(async (patterns: string[], opts: ConfigOptions) => {
      const all = stateAddresses(await readState(opts));
      const matchers = patterns.map(targetMatcher);
      for (const a of all) if (matchers.length === 0 || matchers.some((m) => m(a))) out(a);
    });

  const show = addConfigOptions(new Command('show'))
    .description('show the record of one address (sensitive values masked)')
    .argument('<ADDR>', 'an address, e.g. container.web[m1]')
    .action(async (address: string, opts: ConfigOptions) => {
      await desiredIfAny(opts);
      const state = await readState(opts);
      const rec = recordAt(state, address);
      if (!rec) throw notInState(address, stateAddresses(state));
      out(renderRecord(address, rec));
    });

  const rm = addConfigOptions(new Command('rm'))
    .description('forget records without destroying what they describe')
    .argument('<ADDR...>', 'addresses or globs; a machine takes the records of its objects along')
    .option('--lock-timeout <DURATION>', 'wait this long for a state lock held by another mfile', parseDurationMs, 0)
    .action(async (patterns: string[], opts: EditOptions) => {
      const desired = await desiredIfAny(opts);
      const { result: removed, state } = await editState(resolveStatePath(opts), 'state rm', { timeoutMs: opts.lockTimeout, notice: warn }, (s) => {
        const known = stateAddresses(s);
        const chosen: string[] = [];
        for (const p of patterns) {
          const m = targetMatcher(p);
          const hits = known.filter((a) => m(a));
          if (hits.length === 0) throw p.includes('*') ? new UsageError(`${p} matches nothing in the state; see mfile state list`) : notInState(p, known);
          chosen.push(...hits);
        }
        return { addresses: removeRecords(s, chosen) };
      });
      for (const a of removed.addresses) out(`Removed ${a}`);
      out(`Successfully removed ${removed.addresses.length} record${removed.addresses.length === 1 ? '' : 's'} from the state (serial ${state.serial}); nothing was destroyed.`);
      for (const line of afterRemoval(removed.addresses, desired)) out(line);
    });

  const mv = addConfigOptions(new Command('mv'))
    .description('rename a record (after renaming it in machines.yml), so the next plan keeps what it describes: a container, a network or volume whose engine name stays, or an adopted machine with its objects')
    .argument('<SRC>', 'the address the state records, e.g. container.web[m1], network.back[m1], machine.m1')
    .argument('<DST>', 'its new address, e.g. container.app[m1]')
    .option('--lock-timeout <DURATION>', 'wait this long for a state lock held by another mfile', parseDurationMs, 0)
    .action(async (src: string, dst: string, opts: EditOptions) => {
      const desired = await desiredIfAny(opts);
      const statePath = resolveStatePath(opts);
      const liveName = await networkNameOnEngine(desired, await readState(opts), src, statePath);
      const checks: MoveChecks = {
        engineNameInConfig: (kind, name) => {
          if (!desired) return undefined;
          const declared = kind === 'network' ? desired.networks[name] : desired.volumes[name];
          if (!declared) return undefined;
          return kind === 'network' ? networkEngineName(desired, name) : volumeEngineName(desired, name);
        },
        // A volume's record holds its engine name; a network's holds its id, so its name comes from the engine.
        engineNameOf: (kind, rec) => (kind === 'volume' ? rec.id! : (liveName ?? engineName(desired?.project ?? '', 'network', rec.name))),
        driverCreatesHost: (driver) => traitsOf(desired?.drivers ?? builtinCatalog(), driver).creates,
      };
      const { result: moved, state } = await editState(statePath, 'state mv', { timeoutMs: opts.lockTimeout, notice: warn }, (s) => {
        if (!recordAt(s, src) && parseAddress(src)) throw notInState(src, stateAddresses(s));
        return moveRecord(s, src, dst, checks);
      });
      if (moved.length === 1) out(`Successfully moved ${src} to ${dst} (state serial ${state.serial}).`);
      else {
        for (const [a, b] of moved) out(`Moved ${a} to ${b}`);
        out(`Successfully moved ${moved.length} records (state serial ${state.serial}).`);
      }
      const kind = parseAddress(src)?.kind;
      if (kind === 'machine') {
        await moveMachineDir(path.dirname(statePath), parseAddress(src)!.name, parseAddress(dst)!.name);
        out(`Objects on the machine keep the labels they were created with until they are next replaced; the next plan finds them by their ids.`);
      } else {
        out(`The ${kind ?? 'object'} keeps the engine name and labels it was created with until it is next replaced; the next plan finds it by its id.`);
      }
    });

  return [list, show, rm, mv];
}

/** What the next plan does with what was forgotten: the planner finds labelled objects again. */
function afterRemoval(addresses: string[], desired: Desired | undefined): string[] {
  const lines: string[] = [];
  const objects = addresses.filter((a) => !a.startsWith('machine.'));
  const labelled = objects.filter((a) => !a.startsWith('image.'));
  const declared = (a: string): boolean | undefined => {
    if (!desired) return undefined;
    const p = parseAddress(a)!;
    if (p.kind === 'container') return desired.containers[p.name]?.machines.includes(p.machine) === true;
    return Object.values(desired.containers).some((c) => c.machines.includes(p.machine) && (p.kind === 'network' ? p.name in c.networks : c.volumes.some((v) => v.source === p.name)));
  };
  const kept = labelled.filter((a) => declared(a) === true);
  const dropped = labelled.filter((a) => declared(a) === false);
  const unknown = labelled.filter((a) => declared(a) === undefined);
  if (kept.length) {
    lines.push(`Still on their machines with mfile's labels, and declared in machines.yml: the next plan finds them by their labels and keeps them ("adopted"), with no change; \`mfile apply --refresh-only\` records them again: ${kept.join(', ')}`);
  }
  if (dropped.length) {
    lines.push(`Still on their machines with mfile's labels, but not declared in machines.yml: the next plan finds them by their labels and destroys them: ${dropped.join(', ')}`);
  }
  if (unknown.length) {
    lines.push(`Still on their machines with mfile's labels: the next plan finds them by their labels, keeps those machines.yml declares and destroys the others: ${unknown.join(', ')}`);
  }
  const images = objects.filter((a) => a.startsWith('image.'));
  if (images.length) lines.push(`Images stay on their machines; the next plan finds them by their reference: ${images.join(', ')}`);
  for (const a of addresses.filter((x) => x.startsWith('machine.'))) {
    const name = a.slice('machine.'.length);
    const spec = desired?.machines[name];
    if (!spec) {
      lines.push(`${a}: the host is left as it is${desired ? ', and machines.yml does not declare it: mfile no longer sees it' : ''}.`);
    } else if (spec.traits.recordOnly) {
      lines.push(`${a}: its engine is left as it is; the next plan records it again (driver ${spec.driver}).`);
    } else {
      lines.push(`${a}: the host is left as it is, untracked; the next plan creates machine ${name} as new.`);
    }
  }
  return lines;
}
