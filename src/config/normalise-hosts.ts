// Machines, networks, volumes and secrets: defaults applied, paths made absolute.
import type { EngineSpec, MachineSpec, NetworkSpec, SecretSpec, TlsSpec, VolumeSpec } from '../model/desired.js';
import type { DriverTraits } from '../model/driver-traits.js';
import { defaultEngine } from '../model/engine-defaults.js';
import { localPath, obj, type Context, type Raw } from './context.js';
import { listOrDict, stringMap, toList } from './units.js';

function sshOptions(ctx: Context, raw: Raw, defaults: { user: string }): Raw {
  const out: Raw = { ...raw, port: raw.port ?? 22, user: raw.user ?? defaults.user };
  if (typeof raw.identity_file === 'string') out.identity_file = localPath(ctx, raw.identity_file);
  return out;
}

function driverOptions(ctx: Context, m: Raw, traits: DriverTraits): Record<string, unknown> {
  const raw = traits.block === null ? {} : obj(m[traits.block]);
  if (traits.sshBlock) {
    const out = sshOptions(ctx, raw, { user: 'root' });
    out.sudo = raw.sudo ?? out.user !== 'root';
    if (raw.jump) out.jump = sshOptions(ctx, obj(raw.jump), { user: String(out.user) });
    return out;
  }
  return { ...raw };
}

function engine(raw: Raw): EngineSpec {
  const defaults = defaultEngine();
  const spec: EngineSpec = {
    install: raw.install === 'never' ? 'never' : defaults.install,
    port: typeof raw.port === 'number' ? raw.port : defaults.port,
    transport: raw.transport === 'ssh' ? 'ssh' : defaults.transport,
    labels: stringMap(raw.labels),
    registryMirrors: toList(raw.registry_mirrors),
    insecureRegistries: toList(raw.insecure_registries),
    logOpts: stringMap(raw.log_opts),
    daemon: { ...obj(raw.daemon) },
    uninstall: raw.uninstall === true,
  };
  if (typeof raw.install_script === 'string') spec.installScript = raw.install_script;
  if (typeof raw.storage_driver === 'string') spec.storageDriver = raw.storage_driver;
  if (typeof raw.log_driver === 'string') spec.logDriver = raw.log_driver;
  return spec;
}

function tls(ctx: Context, raw: unknown): TlsSpec {
  if (raw === false) return { enabled: false, san: [] };
  const t = obj(raw);
  const spec: TlsSpec = { enabled: true, san: toList(t.san) };
  for (const k of ['ca', 'cert', 'key'] as const) if (typeof t[k] === 'string') spec[k] = localPath(ctx, t[k] as string);
  return spec;
}

export function normaliseMachines(ctx: Context, raw: Raw): Record<string, MachineSpec> {
  const out: Record<string, MachineSpec> = {};
  for (const [name, value] of Object.entries(raw)) {
    const m = obj(value);
    const driver = String(m.driver);
    // The schema allowed only the catalog's names.
    const traits = ctx.drivers.get(driver)!;
    out[name] = { name, driver, driverOptions: driverOptions(ctx, m, traits), traits, engine: engine(obj(m.engine)), tls: tls(ctx, m.tls) };
  }
  return out;
}

export function normaliseNetworks(raw: Raw): Record<string, NetworkSpec> {
  const out: Record<string, NetworkSpec> = {};
  for (const [name, value] of Object.entries(raw)) {
    const n = obj(value);
    const spec: NetworkSpec = {
      name,
      driver: typeof n.driver === 'string' ? n.driver : 'bridge',
      driverOpts: stringMap(n.driver_opts),
      internal: n.internal === true,
      attachable: n.attachable === true,
      enableIpv6: n.enable_ipv6 === true,
      enableIpv4: n.enable_ipv4 !== false,
      labels: listOrDict(n.labels),
      external: n.external === true,
    };
    if (typeof n.name === 'string') spec.engineName = n.name;
    if (n.ipam) {
      const ipam = obj(n.ipam);
      spec.ipam = {
        config: ((ipam.config as Raw[] | undefined) ?? []).map((c) => {
          const entry: NonNullable<NetworkSpec['ipam']>['config'][number] = {};
          for (const k of ['subnet', 'gateway', 'ip_range'] as const) if (typeof c[k] === 'string') entry[k] = c[k] as string;
          if (c.aux_addresses) entry.aux_addresses = stringMap(c.aux_addresses);
          return entry;
        }),
      };
      if (typeof ipam.driver === 'string') spec.ipam.driver = ipam.driver;
      if (ipam.options) spec.ipam.options = stringMap(ipam.options);
    }
    out[name] = spec;
  }
  return out;
}

export function normaliseVolumes(raw: Raw): Record<string, VolumeSpec> {
  const out: Record<string, VolumeSpec> = {};
  for (const [name, value] of Object.entries(raw)) {
    const v = obj(value);
    out[name] = {
      name,
      driver: typeof v.driver === 'string' ? v.driver : 'local',
      driverOpts: stringMap(v.driver_opts),
      labels: listOrDict(v.labels),
      external: v.external === true,
    };
    if (typeof v.name === 'string') out[name].engineName = v.name;
  }
  return out;
}

/**
 * Secret files are only made absolute: they are usually kept out of git, so `validate` in CI must not
 * need them; apply reads them when a container mounts them.
 */
export function normaliseSecrets(ctx: Context, raw: Raw): Record<string, SecretSpec> {
  const out: Record<string, SecretSpec> = {};
  for (const [name, value] of Object.entries(raw)) out[name] = { name, file: localPath(ctx, String(obj(value).file)) };
  return out;
}
