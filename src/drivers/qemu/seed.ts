// The NoCloud seed cloud-init reads on first boot: meta-data (instance id, hostname) and user-data (a sudo user
// with the machine's SSH key, and the SSH host key mfile made, so even the first contact is verified). qemu
// shows the folder to the guest as a read-only FAT disk labelled cidata (its vvfat driver), so no ISO tool is
// needed; it stays attached on every boot, or cloud-init would take the machine for a new instance.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { writePrivateFile } from '../../fs-safety/private-file.js';

/** The user mfile logs in as; cloud images lock root. */
export const GUEST_USER = 'mfile';

export interface SeedInput {
  machine: string;
  /** Stable for the machine's life: a new id makes cloud-init set the machine up again. */
  instanceId: string;
  authorizedKey: string;
  hostKey: { privateKey: string; publicKey: string };
  /** network: bridge: a static address for the NIC with this MAC (user networking needs none: DHCP). */
  network?: StaticNetwork;
}

export interface StaticNetwork {
  mac: string;
  /** e.g. 10.213.0.7/24 */
  address: string;
  gateway: string;
}

/** Host names: the machine name, made DNS-safe. */
export function guestHostname(machine: string): string {
  const h = machine.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return h || 'mfile';
}

export function metaData(s: SeedInput): string {
  return yaml.dump({ 'instance-id': s.instanceId, 'local-hostname': guestHostname(s.machine) });
}

export function userData(s: SeedInput): string {
  const doc = {
    hostname: guestHostname(s.machine),
    users: [
      {
        name: GUEST_USER,
        sudo: 'ALL=(ALL) NOPASSWD:ALL',
        shell: '/bin/bash',
        lock_passwd: true,
        ssh_authorized_keys: [s.authorizedKey.trim()],
      },
    ],
    manage_etc_hosts: true,
    disable_root: true,
    ssh_pwauth: false,
    ssh_deletekeys: true,
    ssh_keys: { ed25519_private: s.hostKey.privateKey, ed25519_public: s.hostKey.publicKey.trim() },
  };
  return `#cloud-config\n${yaml.dump(doc, { lineWidth: -1 })}`;
}

/**
 * cloud-init's network-config (version 2, as netplan has it): the NIC found by its MAC and named eth0 on every
 * boot, a static address and a default route via the bridge. The bridge has no DNS server, so none is set.
 */
export function networkConfig(n: StaticNetwork): string {
  return yaml.dump({
    version: 2,
    ethernets: {
      eth0: {
        match: { macaddress: n.mac },
        'set-name': 'eth0',
        dhcp4: false,
        addresses: [n.address],
        routes: [{ to: '0.0.0.0/0', via: n.gateway }],
      },
    },
  });
}

/** Writes DIR/meta-data and DIR/user-data (0600: it holds the host's private key). */
export async function writeSeed(dir: string, s: SeedInput): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writePrivateFile(join(dir, 'meta-data'), metaData(s));
  await writePrivateFile(join(dir, 'user-data'), userData(s));
  // vendor-data is optional; an empty one keeps older cloud-init versions from logging a missing file.
  await writePrivateFile(join(dir, 'vendor-data'), '');
  if (s.network) await writePrivateFile(join(dir, 'network-config'), networkConfig(s.network));
}
