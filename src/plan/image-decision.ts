// What an image node does, from its pull_policy, whether the machine has it, the tag's digest in the registry
// (refresh) and the last pull the state recorded. Pure: the planner passes in everything, including the time.
import type { ContainerPullPolicy, PullPolicy, RegistrySpec, TagLookup } from '../model/index.js';
import { pullIntervalSeconds } from '../model/index.js';

export interface ImageDecisionInput {
  /** The node's address: warnings start with it. */
  address: string;
  ref: string;
  policy: ContainerPullPolicy;
  /** The machine has an image under this reference. */
  present: boolean;
  /** The declared registry the reference names. */
  registry?: RegistrySpec;
  /** false with --refresh=false: no tag was checked. */
  refreshed: boolean;
  /** The registry's digest for the tag, as refresh found it through the machine's engine. */
  tag?: TagLookup;
  /** The digest the machine runs under this reference (the engine's repo digest, else the state's record). */
  localDigest?: string;
  /** When the machine last got the image (state record), ISO 8601. */
  lastPull?: string;
  /** When refresh ran, ISO 8601. */
  now?: string;
  /** This node builds the image (pull_policy build, or missing with a build section): no tag to check. */
  builds: boolean;
}

export interface ImageDecision {
  action: 'create' | 'read' | 'update' | 'noop';
  reasons: string[];
  /** The settled policy the step follows (time-based policies become always or missing here). */
  pullPolicy: PullPolicy;
  /** The registry's digest for the tag, when known: the step records it as running. */
  digest?: string;
  /** Set when the tag moved: why the containers using the image are replaced. */
  moved?: string;
  warnings: string[];
}

const where = (r: RegistrySpec): string => `registry ${r.name} (${r.address})`;

/** Whether the last pull is older than the policy's interval (no record of one: due). */
function due(intervalS: number, lastPull: string | undefined, now: string): boolean {
  if (lastPull === undefined) return true;
  const age = Date.parse(now) - Date.parse(lastPull);
  return !(age >= 0 && age < intervalS * 1000);
}

export function decideImage(i: ImageDecisionInput): ImageDecision {
  const warnings: string[] = [];
  const interval = pullIntervalSeconds(i.policy);
  const settled: PullPolicy = interval !== undefined ? 'missing' : (i.policy as PullPolicy);
  const checks = i.registry !== undefined && !i.builds && !/@/.test(i.ref);
  let digest: string | undefined;
  if (checks) {
    if (!i.refreshed) warnings.push(`${i.address}: tag not checked in ${where(i.registry!)} (--refresh=false)`);
    else if (i.tag && 'error' in i.tag) warnings.push(`${i.address}: tag not checked in ${where(i.registry!)}: ${i.tag.error}`);
    else if (i.tag) digest = i.tag.digest;
  }
  const out = (action: ImageDecision['action'], reasons: string[], pullPolicy: PullPolicy, moved?: string): ImageDecision => ({
    action,
    reasons,
    pullPolicy,
    ...(digest !== undefined ? { digest } : {}),
    ...(moved !== undefined ? { moved } : {}),
    warnings,
  });
  const source = i.registry && !i.builds ? `: pulled from ${where(i.registry)}` : '';

  if (i.policy === 'always') return out('read', [`pulled at apply (pull_policy always)${source}`], 'always');
  if (!i.present) {
    if (i.policy === 'never') {
      warnings.push(`${i.address}: not on the machine and pull_policy is never; containers using it will fail to start`);
      return out('noop', ['not on the machine (pull_policy never)'], 'never');
    }
    if (i.policy === 'build') return out('create', ['not on the machine (pull_policy build: built at apply)'], 'build');
    // A declared registry's image comes from the registry, not as a copy of whatever the local engine holds.
    return out('create', [`not on the machine (pull_policy ${i.policy})${source}`], source ? 'always' : settled);
  }
  if (i.policy === 'build') return out('read', ['rebuilt at apply (pull_policy build)'], 'build');
  if (digest !== undefined && i.localDigest !== undefined && digest !== i.localDigest) {
    const moved = `tag moved: ${i.localDigest} → ${digest}`;
    if (i.policy === 'never') {
      warnings.push(`${i.address}: ${moved} in ${where(i.registry!)}; not pulled (pull_policy never)`);
      return out('noop', [], 'never');
    }
    return out('update', [`${moved}${source}`], 'always', `image ${i.ref} ${moved}`);
  }
  if (interval !== undefined) {
    if (i.now === undefined) {
      warnings.push(`${i.address}: pull_policy ${i.policy} not checked (--refresh=false)`);
      return out('noop', [], settled);
    }
    if (due(interval, i.lastPull, i.now)) {
      const why = i.lastPull === undefined ? 'no pull recorded' : `last pulled ${i.lastPull}`;
      return out('read', [`${why}: pulled again (pull_policy ${i.policy})${source}`], 'always');
    }
  }
  return out('noop', [], settled);
}
