// What a driver declares about itself, as data. Config, planner and executor read these traits; no code outside
// src/drivers/ asks for a driver by name.

/** Machine lifecycle operations a driver may offer (`mfile start|stop|restart|kill NAME`). */
export type LifecycleOperation = 'start' | 'stop' | 'restart' | 'kill';

export interface DriverTraits {
  /** The name written in machines.yml: `driver: NAME`. */
  name: string;
  /** Where the driver comes from: compiled into mfile, an mfile-driver-NAME plugin, a Docker Machine binary. */
  kind: 'builtin' | 'plugin' | 'docker-machine';
  /** The key of the driver's options block in a machine (`sandbox: {...}`), or null when it takes none. */
  block: string | null;
  /** JSON Schema (draft-07) of that block; the config is validated against it. */
  blockSchema: Record<string, unknown> | null;
  /** Whether the block must be present. */
  blockRequired: boolean;
  /** Makes new hosts (sandbox, VM, cloud) rather than adopting one that exists (generic, local, none). */
  creates: boolean;
  /** mfile only records the engine: nothing to create, provision or remove (local, none). */
  recordOnly: boolean;
  /** Reached over SSH and provisioned by mfile (Docker install, daemon config, mutual TLS). */
  provisioned: boolean;
  /** remove() takes the host with everything on it, so its objects need no engine calls of their own. */
  removesHostedObjects: boolean;
  /** The lifecycle operations it supports; others are refused with `lifecycleRefusal`. */
  lifecycle: LifecycleOperation[];
  /** Why lifecycle operations are refused (shown by start/stop on a driver without them). */
  lifecycleRefusal?: string;
  /**
   * The block names an existing server over SSH (host, port, user, identity_file, sudo, jump): config fills in
   * the SSH defaults (port 22, user root, sudo unless root) and makes key paths absolute.
   */
  sshBlock: boolean;
  /** Block key holding the Docker API URL of an engine mfile does not provision (tcp:// or unix://), if any. */
  engineUrlKey?: string;
  /** Paths (dot-separated, inside the block) whose values are addresses a plan must not reveal when sensitive. */
  addressKeys: string[];
  /** Block keys whose values are secrets (tokens): always masked, never stored. */
  secretKeys: string[];
  /**
   * Block key listing the addresses a cloud firewall opens the Docker API port to (absent or empty: the whole
   * internet, which the plan flags).
   */
  engineSourcesKey?: string;
  /** Its create makes a choice found by probing this computer (driver op createChoices), which the plan shows and carries. */
  createChoices?: boolean;
}

/** Every driver mfile knows in this run: built in, plus plugins found on PATH or named in machines.yml. */
export type DriverCatalog = ReadonlyMap<string, DriverTraits>;

/**
 * The traits of `name`, or, for a driver this run does not know (a state written with a plugin since removed),
 * a stand-in that promises nothing: not record-only, not provisioned, removing it takes nothing with it.
 * Operations on such a machine fail when its driver is looked up.
 */
export function traitsOf(catalog: DriverCatalog | undefined, name: string): DriverTraits {
  return (
    catalog?.get(name) ?? {
      name,
      kind: 'plugin',
      block: null,
      blockSchema: null,
      blockRequired: false,
      creates: true,
      recordOnly: false,
      provisioned: false,
      removesHostedObjects: false,
      lifecycle: [],
      sshBlock: false,
      addressKeys: [],
      secretKeys: [],
    }
  );
}
