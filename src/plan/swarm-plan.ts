// The swarm half of the plan, beside the per-machine planner: membership nodes (swarm.MACHINE: init on the
// first manager, join, role change, drain-and-leave), the swarm's networks, secrets and configs, the images
// every node needs, and services (service.NAME) diffed attribute by attribute. Pure, like the planner.
import {
  cidrHolding,
  type Desired,
  type Observed,
  type ObservedService,
  type ObservedSwarmObject,
  type PlanNode,
  type ServiceSpec,
  type State,
  type SwarmRole,
  type SwarmStateObject,
} from '../model/index.js';
import { LABEL_CONFIG_HASH, LABEL_NAME, LABEL_PROJECT } from '../model/labels.js';
import type { Masker } from '../masking.js';
import { changeReason, diffAttributes } from './diff.js';
import { imageNodeName } from './image-name.js';
import { imageIndex, normaliseImageRef } from './image-ref.js';
import { addressesIn, pickAddressPool } from './swarm-pool.js';
import { serviceAttributes, serviceConfigHash, serviceEngineName, serviceTaskHash, swarmFileEngineName } from './swarm-service-attributes.js';

export { serviceAttributes, serviceConfigHash, serviceEngineName, serviceTaskHash, swarmFileEngineName };

export interface SwarmPlan {
  nodes: PlanNode[];
  warnings: string[];
}

type ObjKind = 'network' | 'secret' | 'config';
/** A machine in the swarm; `down`: the manager lists its node as down and the machine does not answer. */
type Member = { role: SwarmRole; nodeId?: string; down?: true; /** The machine answers but is not in this node any more. */ left?: true };
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const mine = (labels: Record<string, string>, project: string): string | undefined => (labels[LABEL_PROJECT] === project ? labels[LABEL_NAME] : undefined);

export function planSwarm(desired: Desired, prior: State, observed: Observed, destroy: boolean, existing: ReadonlyMap<string, PlanNode>, masker: Masker): SwarmPlan {
  return new SwarmPlanner(desired, prior, observed, destroy, existing, masker).run();
}

class SwarmPlanner {
  private readonly nodes = new Map<string, PlanNode>();
  private readonly warnings: string[] = [];
  private readonly project: string;
  private readonly prevState;
  private readonly obs;

  constructor(
    private readonly desired: Desired,
    private readonly prior: State,
    private readonly observed: Observed,
    private readonly destroy: boolean,
    private readonly existing: ReadonlyMap<string, PlanNode>,
    private readonly masker: Masker,
  ) {
    this.project = desired.project;
    this.prevState = prior.swarm;
    this.obs = observed.refreshed ? observed.swarm : undefined;
  }

  run(): SwarmPlan {
    const roles = this.destroy ? [] : (this.desired.swarm?.roles ?? []).filter((r) => this.desired.machines[r.machine]);
    const services = this.destroy ? [] : Object.keys(this.desired.swarm?.services ?? {}).sort(byString).map((n) => this.desired.swarm!.services[n]);
    const members = this.members();
    if (roles.length === 0 && members.size === 0 && services.length === 0 && !this.obs && !this.prevState) return { nodes: [], warnings: [] };

    const managers = roles.filter((r) => r.role === 'manager').map((r) => r.machine);
    const leader =
      managers.find((m) => members.get(m)?.role === 'manager') ??
      (this.prevState?.manager && managers.includes(this.prevState.manager) ? this.prevState.manager : undefined) ??
      managers[0] ??
      this.obs?.manager ??
      this.prevState?.manager;
    this.planMembers(roles, members, leader);
    if (leader) {
      const refs = this.planObjects(services, leader);
      this.planServices(services, leader, refs, roles.map((r) => r.machine));
    }
    this.orderTearDown(leader);
    // Machines removed with the plan leave the swarm first (drained while their engine still answers).
    for (const n of this.nodes.values()) {
      const machine = this.existing.get(`machine.${n.machine}`);
      if (n.kind !== 'swarm' || n.action !== 'delete' || machine?.action !== 'delete') continue;
      machine.dependsOn = [...new Set([...machine.dependsOn, n.address])].sort(byString);
      if (n.swarm?.op === 'leave') n.swarm.machineRemoved = true;
    }
    return { nodes: [...this.nodes.values()], warnings: this.warnings };
  }

  /** Machines in the project's swarm now: seen by refresh, else remembered by the state. */
  private members(): Map<string, Member> {
    const out = new Map<string, Member>();
    if (this.observed.refreshed) {
      for (const [m, o] of Object.entries(this.observed.machines)) {
        const local = o.swarm;
        if (!local || local.state !== 'active' || !local.nodeId) continue;
        // Workers do not know the cluster's id: a machine is in this swarm when a manager lists its node.
        if (this.obs && !this.obs.nodes.some((n) => n.id === local.nodeId)) continue;
        const node = this.obs?.nodes.find((n) => n.id === local.nodeId);
        out.set(m, { role: node?.role ?? (local.isManager ? 'manager' : 'worker'), nodeId: local.nodeId });
      }
      // A node the state remembers that the manager still lists, while its machine is not in it (the host does not
      // answer, or it left the swarm by hand): a stale node, removed when the machine joins again or leaves the file.
      for (const [m, rec] of Object.entries(this.prevState?.nodes ?? {})) {
        if (out.has(m)) continue;
        const node = this.obs?.nodes.find((n) => n.id === rec.nodeId);
        if (!node) continue;
        const answers = this.observed.machines[m]?.status === 'running';
        if (!answers) out.set(m, { role: node.role, nodeId: node.id, ...(node.state === 'down' ? { down: true } : {}) });
        else out.set(m, { role: node.role, nodeId: node.id, down: true, left: true });
      }
    } else {
      for (const [m, rec] of Object.entries(this.prevState?.nodes ?? {})) out.set(m, { role: rec.role, ...(rec.nodeId ? { nodeId: rec.nodeId } : {}) });
    }
    return out;
  }

  private add(node: Omit<PlanNode, 'dependsOn'> & { dependsOn?: string[] }): PlanNode {
    const n: PlanNode = { ...node, dependsOn: node.dependsOn ?? [] };
    this.nodes.set(n.address, n);
    return n;
  }

  private machineDep(m: string): string[] {
    const node = this.existing.get(`machine.${m}`);
    return node && node.action !== 'delete' ? [node.address] : [];
  }

  private addressPool(): { pool: string[]; why: string } {
    const values: unknown[] = [];
    for (const m of Object.values(this.desired.machines)) values.push(m.driverOptions);
    for (const r of Object.values(this.prior.machines)) values.push(r.ssh?.host, r.engineUrl, r.driverData);
    for (const n of Object.values(this.desired.networks)) values.push(n.ipam?.config.map((c) => c.subnet));
    const taken = addressesIn(values);
    const given = this.desired.swarm?.defaultAddrPool;
    if (given) {
      // The apply refuses a machine that would advertise an address inside the pool: say so now.
      const inside = taken.filter((t) => cidrHolding(t, given) !== undefined);
      if (inside.length) this.warnings.push(`swarm: default_addr_pool ${given.join(', ')} overlaps the machines' addresses ${inside.join(', ')}; apply refuses a machine that advertises an address inside it`);
      return { pool: given, why: 'as machines.yml sets it' };
    }
    const { pool, clash } = pickAddressPool(taken);
    if (clash.length) this.warnings.push(`swarm: every default address pool candidate overlaps the machines' networks; set swarm.default_addr_pool`);
    return { pool, why: taken.length ? `clear of ${taken.join(', ')}` : 'no machine address is known yet' };
  }

  private planMembers(roles: { machine: string; role: SwarmRole }[], members: Map<string, Member>, leader: string | undefined): void {
    const clusterExists = this.obs !== undefined || (!this.observed.refreshed && this.prevState?.manager !== undefined);
    const leaderAddress = leader ? `swarm.${leader}` : undefined;
    for (const { machine: m, role } of roles) {
      const address = `swarm.${m}`;
      const member = members.get(m);
      const advertise = this.prior.machines[m]?.ssh?.host ?? "(the machine's own address)";
      const after = { role, advertise_addr: advertise };
      const base = { address, kind: 'swarm' as const, machine: m, name: m, after };
      if (member && !member.down) {
        if (member.role === role) this.add({ ...base, action: 'noop', reasons: [], before: { role: member.role } });
        else
          this.add({
            ...base, action: 'update', before: { role: member.role }, reasons: [`role ${member.role} -> ${role} (${role === 'manager' ? 'promote' : 'demote'})`],
            dependsOn: leaderAddress && leader !== m ? [leaderAddress] : [],
            swarm: { op: 'role', role, manager: leader!, nodeId: member.nodeId ?? '' },
          });
        continue;
      }
      const gone = member?.left
        ? [`not in the swarm any more (it left; the manager still lists its node ${member.nodeId}): it joins again and the stale node is removed`]
        : member?.down
        ? [`its node ${member.nodeId} is down (the machine does not answer): it joins again and the stale node is removed`]
        : this.prevState?.nodes[m] ? ['not in the swarm any more (left, or its node is gone)'] : [];
      if (m === leader && !clusterExists) {
        const { pool, why } = this.addressPool();
        const subnetSize = this.desired.swarm?.subnetSize ?? 24;
        this.add({
          ...base, action: 'create', before: null, after: { ...after, default_addr_pool: pool, subnet_size: subnetSize },
          reasons: [...gone, `initialise the swarm on the first manager; default address pool ${pool.join(', ')} (${why})`],
          dependsOn: this.machineDep(m), swarm: { op: 'init', defaultAddrPool: pool, subnetSize },
        });
      } else {
        this.add({
          ...base, action: 'create', before: null, reasons: [...gone, `join as ${role} through ${leader}`],
          dependsOn: [...this.machineDep(m), ...(leaderAddress && leader !== m ? [leaderAddress] : [])],
          swarm: { op: 'join', role, manager: leader!, ...(member?.down && member.nodeId ? { staleNodeId: member.nodeId } : {}) },
        });
      }
    }
    const wanted = new Set(roles.map((r) => r.machine));
    for (const [m, member] of [...members].sort((a, b) => byString(a[0], b[0]))) {
      if (wanted.has(m)) continue;
      const last = m === leader && roles.length === 0;
      const why = this.destroy ? [] : [this.desired.machines[m] ? `machine ${m} has no swarm role in machines.yml` : `machine ${m} is removed from machines.yml`];
      const steps = last ? 'leave the swarm (the last manager: the swarm ends here)' : `drain, ${member.role === 'manager' ? 'demote, ' : ''}leave, and remove the node through ${leader}`;
      this.add({
        address: `swarm.${m}`, kind: 'swarm', machine: m, name: m, action: 'delete', before: { role: member.role }, after: null,
        reasons: [...why, steps],
        swarm: {
          op: 'leave', ...(leader && !last ? { manager: leader } : {}), ...(member.nodeId ? { nodeId: member.nodeId } : {}),
          wasManager: member.role === 'manager', last, machineReachable: !this.observed.refreshed || this.observed.machines[m]?.status === 'running',
        },
      });
    }
  }

  // ---------------------------------------------------------------- networks, secrets, configs

  private observedOf(kind: ObjKind): ObservedSwarmObject[] {
    if (this.obs) return kind === 'network' ? this.obs.networks : kind === 'secret' ? this.obs.secrets : this.obs.configs;
    return Object.values(this.prevState?.objects ?? {})
      .filter((o): o is SwarmStateObject => o.kind === kind)
      .map((o) => ({ id: o.id ?? o.engineName, name: o.engineName, labels: { [LABEL_PROJECT]: this.project, [LABEL_NAME]: o.name } }));
  }

  private planObjects(services: ServiceSpec[], leader: string): { networks: Record<string, string>; secrets: Record<string, string>; configs: Record<string, string> } {
    const refs = { networks: {} as Record<string, string>, secrets: {} as Record<string, string>, configs: {} as Record<string, string> };
    const used = {
      network: [...new Set(services.flatMap((s) => s.networks))].sort(byString),
      secret: [...new Set(services.flatMap((s) => s.secrets.map((x) => x.source)))].sort(byString),
      config: [...new Set(services.flatMap((s) => s.configs.map((x) => x.source)))].sort(byString),
    };
    const leaderDep = this.nodes.get(`swarm.${leader}`)?.action === 'delete' ? [] : [`swarm.${leader}`];
    for (const kind of ['network', 'secret', 'config'] as const) {
      const found = this.observedOf(kind);
      const keep = new Set<string>();
      for (const name of used[kind]) {
        const net = kind === 'network' ? this.desired.networks[name] : undefined;
        const digest = kind === 'secret' ? this.desired.swarm?.secretDigests[name] : kind === 'config' ? this.desired.swarm?.configs[name]?.digest : undefined;
        const engineName = kind === 'network' ? (net?.engineName ?? `${this.project}_${name}`) : swarmFileEngineName(this.project, name, digest);
        refs[kind === 'network' ? 'networks' : kind === 'secret' ? 'secrets' : 'configs'][name] = engineName;
        if (net?.external) continue;
        keep.add(engineName);
        const address = `swarm-${kind}.${name}`;
        const hit = found.find((f) => f.name === engineName);
        const after = kind === 'network' ? { name: engineName, driver: 'overlay', attachable: net?.attachable ?? false } : { name: engineName };
        const base = { address, kind: `swarm-${kind}` as const, machine: leader, name, after };
        if (hit) {
          this.add({ ...base, action: 'noop', reasons: [], before: after, existingId: hit.id, swarm: { op: 'object', objectKind: kind, engineName, id: hit.id } });
          continue;
        }
        if (kind !== 'network' && !digest) {
          const file = kind === 'secret' ? this.desired.secrets[name]?.file : this.desired.swarm?.configs[name]?.file;
          this.warnings.push(`${address}: cannot read ${file}; apply will fail there`);
        }
        const rotated = found.some((f) => mine(f.labels, this.project) === name);
        this.add({
          ...base, action: 'create', before: null, dependsOn: leaderDep,
          reasons: [rotated ? 'content changed: a new version (the old one is removed once unused)' : 'not in the swarm'],
          swarm: { op: 'object', objectKind: kind, engineName, ...(digest ? { digest } : {}) },
        });
      }
      for (const f of [...found].sort((a, b) => byString(a.name, b.name))) {
        const name = mine(f.labels, this.project);
        if (name === undefined || keep.has(f.name)) continue;
        const stillUsed = used[kind].includes(name);
        const address = stillUsed ? `swarm-${kind}.${name}#${f.name.slice(f.name.lastIndexOf('_') + 1)}` : `swarm-${kind}.${name}`;
        this.add({
          address, kind: `swarm-${kind}`, machine: leader, name, action: 'delete', before: { name: f.name }, after: null, existingId: f.id,
          reasons: [stillUsed ? 'an old version: no service uses it after this apply' : this.destroy ? '' : 'no service uses it'].filter(Boolean),
          swarm: { op: 'object', objectKind: kind, engineName: f.name, id: f.id },
        });
      }
    }
    return refs;
  }

  // ---------------------------------------------------------------- images and services

  /** Image nodes on every machine of the swarm: the service runs the image by content id, which no node pulls. */
  private imageDeps(ref: string, machines: string[]): string[] {
    const out: string[] = [];
    for (const m of machines) {
      const name = imageNodeName(ref, this.desired);
      const address = `image.${name}[${m}]`;
      out.push(address);
      if (this.existing.has(address) || this.nodes.has(address)) continue;
      const obsMachine = this.observed.refreshed ? this.observed.machines[m] : undefined;
      const machineNode = this.existing.get(`machine.${m}`);
      const fresh = machineNode?.action === 'create' || machineNode?.action === 'replace';
      const present = !fresh && (obsMachine ? imageIndex(obsMachine.images).has(normaliseImageRef(ref)) : this.prior.objects[address]?.status === 'created');
      this.add({
        address, kind: 'image', machine: m, name, before: present ? { ref } : null, after: { ref, pull_policy: 'missing' },
        action: present ? 'noop' : 'create', reasons: present ? [] : ['a swarm service runs it: not on the machine'],
        dependsOn: this.machineDep(m), image: { ref, pullPolicy: 'missing' },
      });
    }
    return out;
  }

  private planServices(services: ServiceSpec[], leader: string, refs: { networks: Record<string, string>; secrets: Record<string, string>; configs: Record<string, string> }, machines: string[]): void {
    const found = this.obs?.services ?? [];
    const records = this.prevState?.objects ?? {};
    const joins = machines.map((m) => `swarm.${m}`).filter((a) => this.nodes.has(a));
    for (const spec of services) {
      const address = `service.${spec.name}`;
      const engineName = serviceEngineName(this.project, spec.name);
      const mineRefs = {
        secrets: Object.fromEntries(spec.secrets.map((s) => [s.source, refs.secrets[s.source]])),
        configs: Object.fromEntries(spec.configs.map((c) => [c.source, refs.configs[c.source]])),
      };
      const attributes = serviceAttributes(spec, mineRefs);
      const hash = serviceConfigHash(this.project, attributes);
      const after = this.masker.value(attributes) as Record<string, unknown>;
      const rec = records[address];
      const live = this.obs ? found.find((s) => mine(s.labels, this.project) === spec.name) : undefined;
      const deps = [
        ...joins,
        ...spec.networks.map((n) => `swarm-network.${n}`),
        ...spec.secrets.map((s) => `swarm-secret.${s.source}`),
        ...spec.configs.map((c) => `swarm-config.${c.source}`),
        ...this.imageDeps(spec.image, machines),
      ].filter((a) => this.nodes.has(a) || this.existing.has(a));
      const step = { op: 'service' as const, engineName, taskHash: serviceTaskHash(this.project, attributes), networks: Object.fromEntries(spec.networks.map((n) => [n, refs.networks[n]])), ...mineRefs };
      const base = { address, kind: 'service' as const, machine: leader, name: spec.name, after, configHash: hash, dependsOn: [...new Set(deps)].sort(byString) };
      const exists = this.obs ? live !== undefined : rec !== undefined;
      if (!exists) {
        this.add({ ...base, action: 'create', before: null, reasons: [rec ? 'missing in the swarm (removed outside mfile)' : 'not in the swarm'], swarm: step });
        continue;
      }
      const before = rec?.attributes ?? null;
      const id = live?.id ?? rec?.id;
      const reasons = this.serviceChanges(spec, live, rec, after, hash);
      this.add({ ...base, action: reasons.length ? 'update' : 'noop', before: before ?? after, reasons, ...(id ? { existingId: id } : {}), swarm: { ...step, ...(id ? { serviceId: id } : {}) } });
    }
    const wanted = new Set(services.map((s) => s.name));
    const gone = new Map<string, string | undefined>();
    if (this.obs) for (const s of found) { const n = mine(s.labels, this.project); if (n !== undefined && !wanted.has(n)) gone.set(n, s.id); }
    else for (const r of Object.values(records)) if (r.kind === 'service' && !wanted.has(r.name)) gone.set(r.name, r.id);
    for (const [name, id] of [...gone].sort((a, b) => byString(a[0], b[0]))) {
      this.add({
        address: `service.${name}`, kind: 'service', machine: leader, name, action: 'delete', before: records[`service.${name}`]?.attributes ?? {}, after: null,
        reasons: this.destroy ? [] : ['removed from machines.yml'], ...(id ? { existingId: id } : {}),
        swarm: { op: 'service', engineName: serviceEngineName(this.project, name), taskHash: '', ...(id ? { serviceId: id } : {}), networks: {}, secrets: {}, configs: {} },
      });
    }
  }

  /** Why a service that exists needs an update: its spec changed, or someone changed it outside mfile. */
  private serviceChanges(spec: ServiceSpec, live: ObservedService | undefined, rec: SwarmStateObject | undefined, after: Record<string, unknown>, hash: string): string[] {
    const reasons: string[] = [];
    const liveHash = live?.labels[LABEL_CONFIG_HASH] ?? rec?.configHash;
    if (liveHash !== hash) {
      const changes = rec ? diffAttributes(rec.attributes, after).map(changeReason) : [];
      reasons.push(...(changes.length ? changes : ['config hash changed']));
    }
    if (live) {
      const want = spec.deploy.mode === 'replicated' ? spec.deploy.replicas : undefined;
      if (want !== undefined && live.replicas !== undefined && live.replicas !== want && liveHash === hash) reasons.push(`replicas changed outside mfile: ${live.replicas} -> ${want}`);
      const image = live.image.replace(/@sha256:[0-9a-f]+$/, '');
      if (liveHash === hash && image !== spec.image) reasons.push(`image changed outside mfile: ${image} -> ${spec.image}`);
      // Said only beside a change: after a rollback to the spec machines.yml holds, nothing is to be done.
      if (reasons.length > 0 && (live.updateState === 'rollback_completed' || live.updateState === 'paused' || live.updateState === 'rollback_paused')) {
        const ended = live.updateState === 'rollback_completed' ? 'was rolled back' : live.updateState === 'paused' ? 'is paused' : 'rollback is paused';
        const said = live.updateMessage && !/^(rollback|update) (completed|paused)/.test(live.updateMessage) ? `: ${live.updateMessage}` : '';
        reasons.push(`the last update ${ended}${said}`);
      }
    }
    return reasons;
  }

  /** Destroy order: services first, then the swarm's objects, then workers leave, the last manager last. */
  private orderTearDown(leader: string | undefined): void {
    const all = [...this.nodes.values()];
    const serviceGone = all.filter((n) => n.kind === 'service' && n.action === 'delete').map((n) => n.address);
    const serviceWork = all.filter((n) => n.kind === 'service' && n.action !== 'noop').map((n) => n.address);
    for (const n of all) {
      if (n.action !== 'delete') continue;
      if (n.kind === 'swarm-network' || n.kind === 'swarm-secret' || n.kind === 'swarm-config') n.dependsOn = [...new Set([...n.dependsOn, ...serviceWork])];
      if (n.kind === 'swarm') {
        const objects = all.filter((o) => o.action === 'delete' && o.kind.startsWith('swarm-')).map((o) => o.address);
        n.dependsOn = [...new Set([...n.dependsOn, ...serviceGone, ...(n.machine === leader ? objects : [])])];
      }
    }
    const leaderNode = leader ? this.nodes.get(`swarm.${leader}`) : undefined;
    if (leaderNode?.action === 'delete') {
      const others = all.filter((n) => n.kind === 'swarm' && n.action === 'delete' && n !== leaderNode).map((n) => n.address);
      leaderNode.dependsOn = [...new Set([...leaderNode.dependsOn, ...others])];
    }
    for (const n of all) n.dependsOn.sort(byString);
  }
}
