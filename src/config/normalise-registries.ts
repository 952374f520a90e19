// The `registries` block: addresses, CA files read here (so a missing or unreadable file is reported at its
// line), credentials kept for X-Registry-Auth, and the CA put on each provisioned machine that pulls from the
// registry. The password is sensitive however it was written: it joins the values every output masks.
import { readFileSync } from 'node:fs';
import type { ContainerSpec, MachineSpec, RegistrySpec } from '../model/desired.js';
import { registryOf } from '../model/registry-of.js';
import { localPath, obj, report, type Context, type Raw } from './context.js';
import { isExcluded } from './valid-parts.js';

export function normaliseRegistries(ctx: Context, raw: Raw): Record<string, RegistrySpec> {
  const out: Record<string, RegistrySpec> = {};
  const byAddress = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const r = obj(value);
    const address = String(r.address);
    const spec: RegistrySpec = { name, address, mirror: r.mirror === true };
    const other = byAddress.get(address);
    if (other !== undefined) report(ctx, ['registries', name, 'address'], `registries.${name}: address ${address} is also registry ${other}'s`);
    byAddress.set(address, name);
    if (typeof r.username === 'string') spec.username = r.username;
    if (typeof r.password === 'string') spec.password = r.password;
    if ((spec.username === undefined) !== (spec.password === undefined)) {
      report(ctx, ['registries', name], `registries.${name}: give both username and password, or neither`, { key: true });
    }
    if (typeof r.ca_file === 'string') {
      const file = localPath(ctx, r.ca_file);
      spec.caFile = file;
      try {
        const pem = readFileSync(file, 'utf8');
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) report(ctx, ['registries', name, 'ca_file'], `registries.${name}.ca_file: ${r.ca_file} holds no PEM certificate`);
        else spec.ca = pem;
      } catch (err) {
        report(ctx, ['registries', name, 'ca_file'], `registries.${name}.ca_file: cannot read ${r.ca_file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    out[name] = spec;
  }
  return out;
}

/** The passwords: sensitive wherever they came from (a literal, a variable, the environment). */
export function registrySecrets(registries: Record<string, RegistrySpec>): string[] {
  return Object.values(registries)
    .map((r) => r.password)
    .filter((p): p is string => p !== undefined && p !== '');
}

/**
 * Each provisioned machine gets the CA of every registry it pulls from (a container's image names it, or it
 * builds and pushes there) and of every mirror; mirrors also join its registry-mirrors.
 */
export function placeRegistryCas(machines: Record<string, MachineSpec>, containers: Record<string, ContainerSpec>, registries: Record<string, RegistrySpec>): void {
  const used = new Map<string, Set<string>>();
  for (const c of Object.values(containers)) {
    const r = registryOf(c.image, registries);
    if (!r) continue;
    for (const m of c.machines) {
      const set = used.get(m) ?? new Set<string>();
      set.add(r.name);
      used.set(m, set);
    }
  }
  for (const m of Object.values(machines)) {
    if (!m.traits.provisioned) continue;
    const mine = Object.values(registries).filter((r) => r.mirror || used.get(m.name)?.has(r.name));
    for (const r of mine) {
      if (r.ca !== undefined) m.engine.registryCas = { ...m.engine.registryCas, [r.address]: r.ca };
      const url = `https://${r.address}`;
      if (r.mirror && !m.engine.registryMirrors.includes(url)) m.engine.registryMirrors = [...m.engine.registryMirrors, url];
    }
  }
}

/** build.push names a declared registry, and the image is named in it (ADDRESS/NAME:TAG). */
export function checkPushes(ctx: Context, containers: Record<string, ContainerSpec>, registries: Record<string, RegistrySpec>): void {
  for (const c of Object.values(containers)) {
    const push = c.build?.push;
    if (push === undefined) continue;
    const at = ['containers', c.name, 'build', 'push'];
    const r = registries[push];
    if (!r) {
      // An entry that failed the schema is reported already.
      if (isExcluded(ctx.excluded, 'registries', push)) continue;
      report(ctx, at, `containers.${c.name}.build.push: registry ${push} is not declared under registries`);
      continue;
    }
    if (registryOf(c.image, registries)?.name !== push) {
      report(ctx, at, `containers.${c.name}.build.push: image ${c.image} must be named in registry ${push}: ${r.address}/NAME:TAG`);
    }
  }
}
