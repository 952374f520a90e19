// Compose short syntax for ports and volumes, turned into the long form.
import type { MountSpec, PortSpec } from '../model/desired.js';

type Protocol = PortSpec['protocol'];

function range(text: string): [number, number] | undefined {
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) return undefined;
  return [lo, hi];
}

/** "8080:80", "127.0.0.1:8080:80/udp", "[::1]:53:53/udp", "3000-3002", "80" -> one PortSpec per container port. */
export function parsePortShort(value: string | number): PortSpec[] | string {
  const text = String(value);
  let rest = text;
  let protocol: Protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1);
    if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') return `unknown protocol '${p}' (use tcp, udp or sctp)`;
    protocol = p;
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2];
  }
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2 || (v6 && parts.length !== 2)) return 'expected [[IP:]HOST:]CONTAINER[/PROTOCOL]';
  const [hostPart, containerPart] = parts.length === 2 ? parts : [undefined, parts[0]];
  const target = range(containerPart);
  if (!target) return `bad container port '${containerPart}'`;
  const published = hostPart ? range(hostPart) : undefined;
  if (hostPart && !published) return `bad host port '${hostPart}'`;
  if (hostIp !== undefined && hostIp !== '' && !/^[0-9.]+$|:/.test(hostIp)) return `bad host address '${hostIp}'`;
  const count = target[1] - target[0] + 1;
  if (published && count > 1 && published[1] - published[0] + 1 !== count)
    return 'host and container port ranges must have the same length';
  const out: PortSpec[] = [];
  for (let i = 0; i < count; i++) {
    const spec: PortSpec = { target: target[0] + i, protocol };
    if (published) {
      // One container port on a host range: the engine picks a free host port in it.
      spec.published =
        count > 1 ? String(published[0] + i) : published[0] === published[1] ? String(published[0]) : `${published[0]}-${published[1]}`;
    }
    if (hostIp) spec.host_ip = hostIp;
    out.push(spec);
  }
  return out;
}

const PROPAGATION = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

/** True when the short-form source names a host path rather than a volume. */
export function isHostPath(source: string): boolean {
  return source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
}

/** "data:/x:ro", "./dir:/x", "/abs:/x", "/x" (anonymous volume). Host paths come back as written. */
export function parseMountShort(text: string): MountSpec | string {
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) return 'expected SOURCE:TARGET[:OPTIONS] or TARGET';
  if (parts.length === 1) {
    if (!parts[0].startsWith('/')) return `container path '${parts[0]}' must be absolute`;
    return { type: 'volume', target: parts[0], read_only: false };
  }
  const [source, target, options = ''] = parts;
  if (!target.startsWith('/')) return `container path '${target}' must be absolute`;
  const bind = isHostPath(source);
  const spec: MountSpec = { type: bind ? 'bind' : 'volume', source, target, read_only: false };
  for (const opt of options ? options.split(',') : []) {
    if (opt === 'ro') spec.read_only = true;
    else if (opt === 'rw') spec.read_only = false;
    else if (opt === 'nocopy' && !bind) spec.volume = { nocopy: true };
    else if (PROPAGATION.has(opt) && bind) spec.bind = { ...spec.bind, propagation: opt };
    else if ((opt === 'z' || opt === 'Z') && bind) continue; // SELinux relabel: docker applies it; nothing to model
    else return `unknown option '${opt}' (use ro, rw${bind ? ', a propagation mode, z or Z' : ' or nocopy'})`;
  }
  if (bind) spec.bind = { create_host_path: true, ...spec.bind };
  return spec;
}
