// IPv4 addresses and CIDR ranges as numbers: the swarm's address pool is chosen clear of the machines' addresses
// at plan time, and checked against an address only the apply learns (a cloud machine's).

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

/** [first, last] address of a CIDR or a single address; undefined for anything else. */
export function ipv4Range(text: string): [number, number] | undefined {
  const [addr, bits] = text.split('/');
  const ip = ipv4(addr);
  if (ip === undefined) return undefined;
  const n = bits === undefined ? 32 : Number(bits);
  if (!Number.isInteger(n) || n < 0 || n > 32) return undefined;
  const size = 2 ** (32 - n);
  const first = Math.floor(ip / size) * size;
  return [first, first + size - 1];
}

const rangesOverlap = (a: [number, number], b: [number, number]): boolean => a[0] <= b[1] && b[0] <= a[1];

/** The first of the CIDRs that holds the address (or overlaps the range), if any. */
export function cidrHolding(address: string, cidrs: readonly string[]): string | undefined {
  const a = ipv4Range(address);
  if (!a) return undefined;
  return cidrs.find((c) => {
    const r = ipv4Range(c);
    return r !== undefined && rangesOverlap(a, r);
  });
}
