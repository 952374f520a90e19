// The `amazonec2:` block with the defaults a user would pick, and the names mfile gives the machine's resources.
import { createHash } from 'node:crypto';
import type { MachineSpec } from '../../model/index.js';

export interface Ec2Options {
  region: string;
  instanceType: string;
  /** Undefined: the newest Debian 12 amd64 image, looked up in the region. */
  ami?: string;
  subnetId?: string;
  securityGroups: string[];
  sshSources: string[];
  engineSources: string[];
  rootSize: number;
  tags: Record<string, string>;
  sshUser: string;
  endpoint?: string;
  waitTimeoutMs: number;
}

export const WORLD = ['0.0.0.0/0', '::/0'];
/** Debian's own account publishes its cloud images (https://wiki.debian.org/Cloud/AmazonEC2Image). */
export const DEBIAN_OWNER = '136693071363';
export const DEBIAN_12_NAME = 'debian-12-amd64-*';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strs = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

export function ec2Options(m: MachineSpec): Ec2Options {
  const o = m.driverOptions ?? {};
  const tags = (o.tags && typeof o.tags === 'object' ? o.tags : {}) as Record<string, unknown>;
  return {
    region: str(o.region) ?? str(process.env.AWS_REGION) ?? str(process.env.AWS_DEFAULT_REGION) ?? 'us-east-1',
    instanceType: str(o.instance_type) ?? 't3.small',
    ami: str(o.ami),
    subnetId: str(o.subnet_id),
    securityGroups: strs(o.security_groups) ?? [],
    sshSources: strs(o.ssh_sources) ?? WORLD,
    engineSources: strs(o.engine_sources) ?? WORLD,
    rootSize: typeof o.root_size === 'number' ? o.root_size : 16,
    tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)])),
    sshUser: str(o.ssh_user) ?? 'admin',
    endpoint: str(o.api_url) ?? str(process.env.AWS_ENDPOINT_URL_EC2),
    waitTimeoutMs: (typeof o.wait_timeout === 'number' ? o.wait_timeout : 300) * 1000,
  };
}

/** Tags that find the machine's resources again after a crash (design: objects are found by labels). */
export const TAG_PROJECT = 'mfile-project';
export const TAG_MACHINE = 'mfile-machine';

/** The key pair's and security group's name: readable, unique per project and machine, within EC2's 255. */
export function resourceName(project: string, machine: string): string {
  const h = createHash('sha256').update(`${project}\0${machine}`).digest('hex').slice(0, 8);
  return `mfile-${project}-${machine}-${h}`.slice(0, 200);
}

/**
 * RunInstances' idempotency token: the same for the same machine key (a rerun after a crash sends the same one,
 * so EC2 returns the instance it made), new after the machine is removed (its key goes with it). 64 chars max.
 */
export function clientToken(project: string, machine: string, publicKey: string): string {
  return createHash('sha256').update(`${project}\0${machine}\0${publicKey.trim()}`).digest('hex').slice(0, 64);
}
