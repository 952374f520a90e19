// Plain-data builders for planner tests: a Desired, and the State + Observed of a host where it was applied.
import { containerSpec } from '../helpers/fixtures.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import { traitsOf } from '../../src/model/index.js';
import { defaultEngine } from '../../src/model/engine-defaults.js';
import type {
  ContainerSpec,
  Desired,
  MachineRecord,
  MachineSpec,
  NetworkSpec,
  ObjectRecord,
  Observed,
  ObservedMachine,
  State,
  VolumeSpec,
} from '../../src/model/index.js';
import {
  LABEL_CONFIG_HASH,
  LABEL_MACHINE,
  LABEL_NAME,
  LABEL_PROJECT,
  containerAttributes,
  containerConfigHash,
  engineAttributes,
  engineConfigHash,
  mask,
  maskRecord,
  networkAttributes,
  networkConfigHash,
  objectAddress,
  volumeAttributes,
  volumeConfigHash,
} from '../../src/plan/index.js';

export const T = '2026-01-01T00:00:00.000Z';

export function machine(name: string, over: Partial<MachineSpec> = {}): MachineSpec {
  return {
    name,
    driver: 'sandbox',
    driverOptions: { region: 'eu-1' },
    engine: defaultEngine(),
    tls: { enabled: true, san: [] },
    ...over,
    traits: over.traits ?? traitsOf(builtinCatalog(), over.driver ?? 'sandbox'),
  };
}

/** A container with the planner tests' defaults: nginx, restarted unless stopped. */
export function container(name: string, over: Partial<ContainerSpec> = {}): ContainerSpec {
  return containerSpec(name, { image: 'nginx:1.27', restart: 'unless-stopped', ...over });
}

export function network(name: string, over: Partial<NetworkSpec> = {}): NetworkSpec {
  return { name, driver: 'bridge', driverOpts: {}, internal: false, attachable: false, enableIpv6: false, labels: {}, external: false, ...over };
}

export function volume(name: string, over: Partial<VolumeSpec> = {}): VolumeSpec {
  return { name, driver: 'local', driverOpts: {}, labels: {}, external: false, ...over };
}

export function desired(parts: {
  machines: MachineSpec[];
  containers?: ContainerSpec[];
  networks?: NetworkSpec[];
  volumes?: VolumeSpec[];
  sensitiveValues?: string[];
}): Desired {
  const byName = <X extends { name: string }>(xs: X[] = []): Record<string, X> => Object.fromEntries(xs.map((x) => [x.name, x]));
  return {
    project: 'shop',
    configPath: '/srv/shop/machines.yml',
    configDigest: 'digest',
    variables: {},
    sensitiveValues: parts.sensitiveValues ?? [],
    machines: byName(parts.machines),
    networks: byName(parts.networks),
    volumes: byName(parts.volumes),
    secrets: {},
    containers: byName(parts.containers),
    drivers: builtinCatalog(),
  };
}

export function emptyState(): State {
  return { version: 1, mfile_version: '0.1.0', lineage: 'lineage-1', serial: 0, machines: {}, objects: {} };
}

export const notRefreshed: Observed = { refreshed: false, machines: {} };

export const containerId = (name: string, m: string): string => `c-${name}-${m}`;
export const imageId = (ref: string): string => `sha256:${ref.replace(/[^a-z0-9]/g, '')}00000000`;

/** State and Observed after `d` was applied successfully: everything recorded, running and labelled. */
export function converged(d: Desired): { state: State; observed: Observed } {
  const state = emptyState();
  state.serial = 3;
  const observed: Observed = { refreshed: true, machines: {} };
  for (const m of Object.values(d.machines)) {
    const recordOnly = m.driver === 'local' || m.driver === 'none';
    const rec: MachineRecord = {
      name: m.name,
      driver: m.driver,
      status: 'created',
      driverOptions: maskRecord(m.driverOptions, d.sensitiveValues),
      driverData: {},
      updatedAt: T,
    };
    if (!recordOnly) {
      rec.engineHash = engineConfigHash(m);
      rec.engine = maskRecord(engineAttributes(m), d.sensitiveValues);
    }
    state.machines[m.name] = rec;
    observed.machines[m.name] = { name: m.name, status: 'running', containers: [], networks: [], volumes: [], images: [] };
  }
  const labels = (m: string, name: string, hash: string): Record<string, string> => ({
    [LABEL_PROJECT]: d.project,
    [LABEL_MACHINE]: m,
    [LABEL_NAME]: name,
    [LABEL_CONFIG_HASH]: hash,
  });
  const record = (r: Omit<ObjectRecord, 'status' | 'updatedAt'>): void => {
    state.objects[r.address] = { ...r, status: 'created', updatedAt: T };
  };
  for (const c of Object.values(d.containers)) {
    for (const m of c.machines) {
      const om: ObservedMachine = observed.machines[m];
      const hash = containerConfigHash(c, d.project);
      const id = containerId(c.name, m);
      record({ address: objectAddress('container', c.name, m), kind: 'container', machine: m, name: c.name, id, configHash: hash, attributes: maskRecord(containerAttributes(c), d.sensitiveValues) });
      om.containers.push({ id, name: `${d.project}-${c.name}`, labels: labels(m, c.name, hash), state: 'running', imageId: imageId(c.image), image: c.image });
      if (!om.images.some((i) => i.repoTags.includes(c.image))) om.images.push({ id: imageId(c.image), repoTags: [c.image] });
      for (const n of Object.keys(c.networks)) {
        const spec = d.networks[n];
        if (spec.external || om.networks.some((x) => x.labels[LABEL_NAME] === n)) continue;
        const hashN = networkConfigHash(spec, d.project);
        record({ address: objectAddress('network', n, m), kind: 'network', machine: m, name: n, id: `n-${n}-${m}`, configHash: hashN, attributes: networkAttributes(spec) });
        om.networks.push({ id: `n-${n}-${m}`, name: `${d.project}_${n}`, labels: labels(m, n, hashN) });
      }
      for (const v of c.volumes) {
        if (v.type !== 'volume' || !v.source) continue;
        const spec = d.volumes[v.source];
        if (spec.external || om.volumes.some((x) => x.labels[LABEL_NAME] === v.source)) continue;
        const hashV = volumeConfigHash(spec, d.project);
        const engine = `${d.project}_${v.source}`;
        record({ address: objectAddress('volume', v.source, m), kind: 'volume', machine: m, name: v.source, id: engine, configHash: hashV, attributes: volumeAttributes(spec) });
        om.volumes.push({ name: engine, labels: labels(m, v.source, hashV) });
      }
    }
  }
  return { state, observed };
}

/** Deep copy, so a test can change a Desired without touching the converged state built from it. */
export function clone<X>(x: X): X {
  return structuredClone(x);
}

export { mask };
