// Checks that need more than one part of the file: names that must exist, dependency cycles, host ports
// published twice on one machine, options that only fit some drivers.
import type { PortSpec } from '../model/desired.js';
import { obj, report, type Context, type Raw } from './context.js';
import type { Normalised } from './normalise.js';
import { didYouMean } from './did-you-mean.js';
import type { Path } from './path-text.js';
import { isExcluded, type Section } from './valid-parts.js';

/** The entry named `key`, never an Object.prototype member ('constructor' is a valid container name). */
function own<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** Path of the entry naming `name` in a Compose list-or-map field (list index, or the map key). */
function entryPath(raw: unknown, base: Path, name: string): { path: Path; key: boolean } {
  if (Array.isArray(raw)) {
    const i = raw.findIndex((x) => x === name);
    return { path: i >= 0 ? [...base, i] : base, key: false };
  }
  return { path: [...base, name], key: true };
}

/** `a`, `a or b`, `a, b or c`. */
function either(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Names declared in a section, including entries left out after a schema error. */
function declared(ctx: Context, section: Section, valid: Record<string, unknown>): string[] {
  return [...Object.keys(valid), ...(ctx.excluded?.names[section] ?? [])];
}

/** ` (did you mean 'x'?)` for a name declared under another spelling. */
function near(ctx: Context, name: string, section: Section, valid: Record<string, unknown>): string {
  return didYouMean(name, declared(ctx, section, valid));
}

/** For an unknown machine: the known ones (a few), or the nearest of many. */
function known(name: string, names: string[]): string {
  if (!names.length) return ' (no machine is declared)';
  const sorted = [...names].sort();
  if (sorted.length <= 10) return ` (known: ${sorted.join(', ')})`;
  return didYouMean(name, sorted) || ` (known: ${sorted.slice(0, 10).join(', ')} and ${sorted.length - 10} more)`;
}

function checkMachines(ctx: Context, data: Raw): void {
  const drivers = [...ctx.drivers.values()];
  const sshDrivers = drivers.filter((d) => d.provisioned).map((d) => d.name).sort();
  for (const [name, value] of Object.entries(obj(data.machines))) {
    const m = obj(value);
    const uses = ctx.drivers.get(String(m.driver));
    for (const d of drivers) {
      if (d.block === null || m[d.block] === undefined || d.block === uses?.block) continue;
      report(ctx, ['machines', name, d.block], `machines.${name}.${d.block}: only used with driver ${d.name} (this machine uses ${String(m.driver)})`, { key: true });
    }
    if (obj(m.engine).transport === 'ssh' && uses && !uses.provisioned) {
      report(ctx, ['machines', name, 'engine', 'transport'], `machines.${name}.engine.transport: ssh needs driver ${either(sshDrivers)}`);
    }
  }
}

function checkReferences(ctx: Context, data: Raw, n: Normalised): void {
  const rawContainers = obj(data.containers);
  for (const [name, { spec }] of Object.entries(n.written)) {
    const c = obj(rawContainers[name]);
    const base: Path = ['containers', name];
    spec.machines.forEach((m, i) => {
      if (own(n.machines, m) || isExcluded(ctx.excluded, 'machines', m)) return;
      const path: Path = Array.isArray(c.machines) ? [...base, 'machines', i] : [...base, 'machine'];
      report(ctx, path, `containers.${name}: unknown machine '${m}'${known(m, declared(ctx, 'machines', n.machines))}`);
    });
    for (const net of Object.keys(spec.networks)) {
      if (own(n.networks, net) || isExcluded(ctx.excluded, 'networks', net)) continue;
      const e = entryPath(c.networks, [...base, 'networks'], net);
      report(ctx, e.path, `containers.${name}: unknown network '${net}'${near(ctx, net, 'networks', n.networks)} (declare it under networks)`, { key: e.key });
    }
    const rawVolumes = (c.volumes as unknown[] | undefined) ?? [];
    rawVolumes.forEach((entry, i) => {
      const source = typeof entry === 'string' ? entry.split(':')[0] : obj(entry).source;
      const type = typeof entry === 'string' ? undefined : obj(entry).type;
      if (typeof entry === 'string' && !entry.includes(':')) return; // anonymous volume
      if (typeof source !== 'string' || (type !== undefined && type !== 'volume')) return;
      if (typeof entry === 'string' && /^[./~]/.test(source)) return; // host path
      if (own(n.volumes, source) || isExcluded(ctx.excluded, 'volumes', source)) return;
      report(ctx, [...base, 'volumes', i], `containers.${name}: unknown volume '${source}'${near(ctx, source, 'volumes', n.volumes)} (declare it under volumes)`);
    });
    spec.secrets.forEach((s, i) => {
      if (own(n.secrets, s.source) || isExcluded(ctx.excluded, 'secrets', s.source)) return;
      report(ctx, [...base, 'secrets', i], `containers.${name}: unknown secret '${s.source}'${near(ctx, s.source, 'secrets', n.secrets)} (declare it under secrets)`);
    });
    for (const dep of Object.keys(spec.depends_on)) {
      if ((own(n.written, dep) || isExcluded(ctx.excluded, 'containers', dep)) && dep !== name) continue;
      const e = entryPath(c.depends_on, [...base, 'depends_on'], dep);
      const msg = dep === name ? `containers.${name}: depends on itself` : `containers.${name}: depends_on names unknown container '${dep}'${near(ctx, dep, 'containers', n.written)}`;
      report(ctx, e.path, msg, { key: e.key });
    }
    if (spec.network_mode) {
      if (c.networks !== undefined) {
        report(ctx, [...base, 'network_mode'], `containers.${name}: network_mode and networks cannot be used together`);
      }
      const svc = /^service:(.+)$/.exec(spec.network_mode);
      if (svc && !own(n.written, svc[1]) && !isExcluded(ctx.excluded, 'containers', svc[1])) {
        report(ctx, [...base, 'network_mode'], `containers.${name}: network_mode names unknown container '${svc[1]}'${near(ctx, svc[1], 'containers', n.written)}`);
      }
      if (svc && (own(n.written, svc[1])?.spec.replicas ?? 1) !== 1) {
        report(ctx, [...base, 'network_mode'], `containers.${name}: network_mode cannot use '${svc[1]}', which has several replicas`);
      }
    }
    spec.volumes_from.forEach((ref, i) => {
      const svc = /^service:([^:]+)/.exec(ref);
      if (!svc || own(n.written, svc[1]) || isExcluded(ctx.excluded, 'containers', svc[1])) return;
      const at: Path = Array.isArray(c.volumes_from) ? [...base, 'volumes_from', i] : [...base, 'volumes_from'];
      report(ctx, at, `containers.${name}: volumes_from names unknown container '${svc[1]}'${near(ctx, svc[1], 'containers', n.written)}`);
    });
    if (spec.container_name && spec.replicas > 1) {
      report(ctx, [...base, 'container_name'], `containers.${name}: container_name cannot be used with deploy.replicas > 1 (the names would clash)`);
    }
  }
}

function checkCycles(ctx: Context, data: Raw, n: Normalised): void {
  const state: Record<string, 'open' | 'done'> = {};
  const stack: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    state[name] = 'open';
    stack.push(name);
    for (const dep of Object.keys(n.written[name].spec.depends_on).sort()) {
      if (!own(n.written, dep) || dep === name) continue;
      if (state[dep] === 'open') {
        const cycle = stack.slice(stack.indexOf(dep));
        // Start at the smallest name so one cycle is reported once, the same way every time.
        const start = cycle.indexOf([...cycle].sort()[0]);
        const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
        const id = ordered.join(' ');
        if (seen.has(id)) continue;
        seen.add(id);
        const [first, second] = [ordered[0], ordered[1] ?? ordered[0]];
        const e = entryPath(obj(obj(data.containers)[first]).depends_on, ['containers', first, 'depends_on'], second);
        report(ctx, e.path, `dependency cycle: ${[...ordered, ordered[0]].join(' -> ')}`, { key: e.key });
      } else if (!state[dep]) visit(dep);
    }
    stack.pop();
    state[name] = 'done';
  };
  for (const name of Object.keys(n.written).sort()) if (!state[name]) visit(name);
}

interface Binding {
  container: string;
  entry: number;
  port: PortSpec;
  lo: number;
  hi: number;
}

const ANY = new Set(['', '0.0.0.0', '::']);

function clash(a: Binding, b: Binding): boolean {
  const ipA = a.port.host_ip ?? '';
  const ipB = b.port.host_ip ?? '';
  const sameIp = ipA === ipB || ANY.has(ipA) || ANY.has(ipB);
  return a.port.protocol === b.port.protocol && sameIp && a.lo <= b.hi && b.lo <= a.hi;
}

function checkPorts(ctx: Context, n: Normalised): void {
  const byMachine: Record<string, Binding[]> = {};
  for (const name of Object.keys(n.written).sort()) {
    const { spec, portEntry } = n.written[name];
    spec.ports.forEach((port, i) => {
      if (!port.published) return;
      const [lo, hi = lo] = port.published.split('-').map(Number);
      const b: Binding = { container: name, entry: portEntry[i], port, lo, hi };
      const hostPort = (): string => `${port.host_ip ? `${port.host_ip}:` : ''}${port.published}/${port.protocol}`;
      if (spec.replicas > 1 && lo === hi) {
        report(ctx, ['containers', name, 'ports', b.entry], `containers.${name}: host port ${hostPort()} cannot be published by ${spec.replicas} replicas on one machine; leave out the host port or give a range`);
      }
      for (const machine of spec.machines) {
        const list = (byMachine[machine] ??= []);
        const other = list.find((o) => o.container !== name && clash(o, b));
        if (other) {
          report(ctx, ['containers', name, 'ports', b.entry], `containers.${name}: host port ${hostPort()} on machine ${machine} is already published by containers.${other.container}`);
        }
        list.push(b);
      }
    });
  }
}

export function crossCheck(ctx: Context, data: Raw, n: Normalised): void {
  checkMachines(ctx, data);
  checkReferences(ctx, data, n);
  checkCycles(ctx, data, n);
  checkPorts(ctx, n);
}
