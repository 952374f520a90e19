// Keys an engine cannot honour, found at plan time from what refresh learned about each engine (docker info and
// version). The engine would otherwise drop some of them with no more than a warning (oom_kill_disable on
// cgroup v2) or fail halfway through an apply; here each is one line naming the container, the machine and why.
import type { ContainerSpec, Desired, EngineFacts, NetworkSpec, Observed, Plan } from '../model/index.js';

const MAKES = new Set(['create', 'replace', 'update']);

function apiAtLeast(facts: EngineFacts, wanted: string): boolean {
  const [a, b] = facts.apiVersion.split('.').map(Number);
  const [x, y] = wanted.split('.').map(Number);
  return a > x || (a === x && b >= y);
}

function tooOld(facts: EngineFacts, wanted: string, key: string): string | undefined {
  return apiAtLeast(facts, wanted) ? undefined : `${key} needs Engine API ${wanted} or later; this engine speaks ${facts.apiVersion}`;
}

/** Why each key of `spec` cannot be honoured by an engine with these facts. */
export function containerMisfits(spec: ContainerSpec, facts: EngineFacts): string[] {
  const out: (string | undefined)[] = [];
  if (spec.gpus?.length && !facts.runtimes.includes('nvidia')) {
    out.push('gpus: the engine has no GPU runtime (docker info lists no nvidia runtime)');
  }
  if (spec.oom_kill_disable && !facts.oomKillDisable) out.push('oom_kill_disable: the engine cannot disable the OOM killer here (cgroup v2 or no kernel support)');
  if (spec.mem_swappiness !== undefined && facts.cgroupVersion === '2') out.push('mem_swappiness: cgroup v2 has no per-container swappiness');
  if (spec.cpu_period !== undefined && !facts.cpuCfsPeriod) out.push('cpu_period: the kernel has no CFS period support');
  if (spec.cpu_quota !== undefined && !facts.cpuCfsQuota) out.push('cpu_quota: the kernel has no CFS quota support');
  if (spec.cpuset !== undefined && !facts.cpuSet) out.push('cpuset: the kernel has no cpuset support');
  if (spec.annotations && Object.keys(spec.annotations).length) out.push(tooOld(facts, '1.43', 'annotations'));
  for (const [net, n] of Object.entries(spec.networks).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (n.mac_address) out.push(tooOld(facts, '1.44', `networks.${net}.mac_address`));
    if (n.gw_priority !== undefined) out.push(tooOld(facts, '1.48', `networks.${net}.gw_priority`));
    if (n.interface_name) out.push(tooOld(facts, '1.49', `networks.${net}.interface_name`));
  }
  return out.filter((m): m is string => m !== undefined);
}

export function networkMisfits(spec: NetworkSpec, facts: EngineFacts): string[] {
  const m = spec.enableIpv4 === false ? tooOld(facts, '1.47', 'enable_ipv4: false') : undefined;
  return m ? [m] : [];
}

/**
 * One line per key that an object this plan creates or changes asks of an engine that cannot honour it. Machines
 * whose engine was not observed (not made yet, --refresh=false) are not judged: their engine answers at apply.
 */
export function engineMisfits(desired: Desired, plan: Plan, observed: Observed): string[] {
  const out: string[] = [];
  for (const node of plan.nodes) {
    if (!MAKES.has(node.action)) continue;
    const facts = observed.machines[node.machine]?.engine;
    if (!facts) continue;
    const problems =
      node.kind === 'container' && Object.hasOwn(desired.containers, node.name) ? containerMisfits(desired.containers[node.name], facts)
      : node.kind === 'network' && Object.hasOwn(desired.networks, node.name) ? networkMisfits(desired.networks[node.name], facts)
      : [];
    for (const p of problems) out.push(`${node.address}: ${p}; remove it or place the ${node.kind} on a machine whose engine can`);
  }
  return out;
}
