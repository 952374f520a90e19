// A stateful fake of the DigitalOcean API (the parts a Droplet needs) for the contract tests, behind
// `prism proxy … --errors`, so its answers are held to DigitalOcean's API description. Droplets, SSH keys,
// firewalls and actions; the same fault knobs as the Hetzner fake.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  times: number;
  headers?: Record<string, string>;
  message?: string;
}

const NOW = '2026-12-02T07:00:00Z';
const REGIONS = ['nyc3', 'fra1', 'ams3'].map((slug) => ({ slug, name: slug.toUpperCase(), available: true, features: ['ipv6', 'metadata'], sizes: ['s-1vcpu-1gb', 's-2vcpu-2gb'] }));
const SIZES = [
  { slug: 's-1vcpu-1gb', memory: 1024, vcpus: 1, disk: 25, transfer: 1, price_monthly: 6, price_hourly: 0.00893, regions: ['nyc3', 'fra1', 'ams3'], available: true, description: 'Basic' },
  { slug: 's-2vcpu-2gb', memory: 2048, vcpus: 2, disk: 60, transfer: 3, price_monthly: 18, price_hourly: 0.02679, regions: ['nyc3', 'fra1'], available: true, description: 'Basic' },
];
const IMAGES = [
  { id: 155402966, name: '12 x64', type: 'base', distribution: 'Debian', slug: 'debian-12-x64', public: true, regions: ['nyc3', 'fra1', 'ams3'], created_at: NOW, min_disk_size: 15, size_gigabytes: 2.3, description: 'Debian 12 x64', tags: [], status: 'available', error_message: '' },
  { id: 160224560, name: '24.04 (LTS) x64', type: 'base', distribution: 'Ubuntu', slug: 'ubuntu-24-04-x64', public: true, regions: ['nyc3', 'fra1', 'ams3'], created_at: NOW, min_disk_size: 15, size_gigabytes: 2.5, description: 'Ubuntu 24.04 x64', tags: [], status: 'available', error_message: '' },
];

interface DropletRec {
  id: number;
  name: string;
  status: 'new' | 'active' | 'off';
  tags: string[];
  size: string;
  region: string;
  imageId: number;
  ip?: string;
  host?: FakeHost;
}

export interface FakeHost {
  ip: string;
  remove(): Promise<void>;
}

export class FakeDigitalOcean {
  readonly droplets = new Map<number, DropletRec>();
  readonly sshKeys = new Map<number, { id: number; name: string; public_key: string; fingerprint: string }>();
  readonly firewalls = new Map<string, Record<string, unknown>>();
  readonly actions = new Map<number, { id: number; status: 'in-progress' | 'completed'; type: string; resource_id: number; region_slug: string }>();
  readonly requests: { method: string; path: string; status: number }[] = [];
  readonly faults: Fault[] = [];
  neverActive = false;
  /** The most items a list answer holds, whatever per_page asks (DigitalOcean's own cap is 200). */
  pageSize = 200;
  /** Every list page served, as `PATH page N`. */
  readonly listed: string[] = [];
  onDropletCreated?: (id: number) => void;
  private nextId = 300;
  private http?: HttpServer;

  private pendingHosts = new Set<Promise<unknown>>();

  constructor(
    private readonly token: string,
    /** Gives a Droplet a real host (test/helpers/cloud-host.ts); without it, a documentation address (192.0.2.x). */
    private readonly makeHost?: (droplet: { id: number; name: string }, publicKeys: string[]) => Promise<FakeHost>,
  ) {}

  async start(): Promise<string> {
    this.http = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.http!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pendingHosts]);
    for (const d of this.droplets.values()) await d.host?.remove().catch(() => undefined);
    await new Promise<void>((r) => this.http?.close(() => r()) ?? r());
  }

  holdings(): { droplets: number; sshKeys: number; firewalls: number } {
    return { droplets: this.droplets.size, sshKeys: this.sshKeys.size, firewalls: this.firewalls.size };
  }

  activate(): void {
    this.neverActive = false;
    for (const d of this.droplets.values()) if (d.status === 'new') this.bringUp(d);
  }

  private bringUp(d: DropletRec): void {
    const finish = (ip: string): void => {
      if (!this.droplets.has(d.id)) return;
      d.status = 'active';
      d.ip = ip;
    };
    if (!this.makeHost) return finish(`192.0.2.${(d.id % 250) + 1}`);
    const p = this.makeHost({ id: d.id, name: d.name }, [...this.sshKeys.values()].map((k) => k.public_key)).then(
      async (host) => {
        if (!this.droplets.has(d.id)) return host.remove();
        d.host = host;
        finish(host.ip);
      },
      (err: Error) => console.error(`fake digitalocean: host for droplet ${d.id}: ${err.message}`),
    );
    this.pendingHosts.add(p);
    void p.finally(() => this.pendingHosts.delete(p));
  }

  private dropletJson(d: DropletRec) {
    const size = SIZES.find((s) => s.slug === d.size)!;
    return {
      id: d.id,
      name: d.name,
      memory: size.memory,
      vcpus: size.vcpus,
      disk: size.disk,
      locked: false,
      status: d.status,
      created_at: NOW,
      features: ['droplet_agent'],
      backup_ids: [],
      next_backup_window: null,
      snapshot_ids: [],
      image: IMAGES.find((i) => i.id === d.imageId)!,
      volume_ids: [],
      size,
      size_slug: d.size,
      networks: { v4: d.ip ? [{ ip_address: d.ip, netmask: '255.255.255.0', gateway: '192.0.2.1', type: 'public' }] : [], v6: [] },
      region: REGIONS.find((r) => r.slug === d.region)!,
      tags: d.tags,
    };
  }

  private action(type: string, resource: number, region: string) {
    const a = { id: this.nextId++, status: 'completed' as const, type, resource_id: resource, region_slug: region };
    this.actions.set(a.id, a);
    return { ...a, started_at: NOW, completed_at: NOW, resource_type: 'droplet', region: REGIONS.find((r) => r.slug === region)! };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const limits = { 'ratelimit-limit': '5000', 'ratelimit-remaining': '4999', 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) };
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      this.requests.push({ method, path: url.pathname, status });
      res.writeHead(status, { ...limits, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const fail = (status: number, id: string, message: string, headers?: Record<string, string>): void => send(status, { id, message, request_id: 'b6a5c0e7-0d1f-4a7c-9a52-6a7b9d3c2f10' }, headers);
    if (req.headers.authorization !== `Bearer ${this.token}`) return fail(401, 'unauthorized', 'Unable to authenticate you');
    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(url.pathname));
    if (fault) {
      fault.times--;
      return fail(fault.status, fault.status === 429 ? 'too_many_requests' : 'server_error', fault.message ?? `injected ${fault.status}`, fault.headers);
    }
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    // Paged as DigitalOcean pages: per_page (default 20, at most `pageSize`), page, and links.pages naming the others.
    const list = <T>(key: string, items: T[]) => {
      const per = Math.min(Number(url.searchParams.get('per_page')) || 20, this.pageSize);
      const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
      const last = Math.max(1, Math.ceil(items.length / per));
      const at = (n: number): string => {
        const u = new URL(`https://api.digitalocean.com${url.pathname}${url.search}`);
        u.searchParams.set('page', String(n));
        return u.href;
      };
      const pages = { ...(page > 1 ? { first: at(1), prev: at(page - 1) } : {}), ...(page < last ? { next: at(page + 1), last: at(last) } : {}) };
      this.listed.push(`${url.pathname} page ${page}`);
      send(200, { [key]: items.slice((page - 1) * per, page * per), links: Object.keys(pages).length ? { pages } : {}, meta: { total: items.length } });
    };
    const p = url.pathname;
    let m: RegExpExecArray | null;

    if (method === 'GET' && p === '/v2/regions') return list('regions', REGIONS);
    if (method === 'GET' && p === '/v2/sizes') return list('sizes', SIZES);
    if (method === 'GET' && p === '/v2/images') return list('images', IMAGES);
    if (method === 'GET' && p === '/v2/account/keys') return list('ssh_keys', [...this.sshKeys.values()]);
    if (method === 'POST' && p === '/v2/account/keys') {
      if ([...this.sshKeys.values()].some((k) => k.public_key.split(' ')[1] === String(body.public_key).split(' ')[1])) return fail(422, 'unprocessable_entity', 'SSH Key is already in use on your account');
      const k = { id: this.nextId++, name: String(body.name), public_key: String(body.public_key), fingerprint: '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa' };
      this.sshKeys.set(k.id, k);
      return send(201, { ssh_key: k });
    }
    if (method === 'DELETE' && (m = /^\/v2\/account\/keys\/(\d+)$/.exec(p))) {
      if (!this.sshKeys.delete(Number(m[1]))) return fail(404, 'not_found', 'The resource you were accessing could not be found.');
      return send(204);
    }
    if (method === 'GET' && p === '/v2/firewalls') return list('firewalls', [...this.firewalls.values()]);
    if (method === 'POST' && p === '/v2/firewalls') {
      const f = { id: `fb6045f1-cf1d-4ca3-bfac-18832663${String(this.nextId++).padStart(4, '0')}`, status: 'succeeded', created_at: NOW, pending_changes: [], name: body.name, droplet_ids: body.droplet_ids ?? [], tags: [], inbound_rules: body.inbound_rules ?? [], outbound_rules: body.outbound_rules ?? [] };
      this.firewalls.set(f.id, f);
      return send(202, { firewall: f });
    }
    if (method === 'DELETE' && (m = /^\/v2\/firewalls\/([0-9a-f-]+)$/.exec(p))) {
      if (!this.firewalls.delete(m[1])) return fail(404, 'not_found', 'The resource you were accessing could not be found.');
      return send(204);
    }
    if (method === 'GET' && p === '/v2/droplets') {
      const tag = url.searchParams.get('tag_name');
      return list('droplets', [...this.droplets.values()].filter((d) => !tag || d.tags.includes(tag)).map((d) => this.dropletJson(d)));
    }
    if (method === 'POST' && p === '/v2/droplets') {
      const size = SIZES.find((s) => s.slug === body.size);
      if (!size) return fail(422, 'unprocessable_entity', 'You specified an invalid size for Droplet creation.');
      const image = IMAGES.find((i) => i.slug === body.image || i.id === body.image);
      if (!image) return fail(422, 'unprocessable_entity', 'You specified an invalid image for Droplet creation.');
      const d: DropletRec = { id: this.nextId++, name: String(body.name), status: 'new', tags: (body.tags as string[]) ?? [], size: size.slug, region: String(body.region ?? 'nyc3'), imageId: image.id };
      this.droplets.set(d.id, d);
      if (!this.neverActive) this.bringUp(d);
      send(202, { droplet: this.dropletJson(d), links: { actions: [{ id: this.nextId++, rel: 'create', href: `https://api.digitalocean.com/v2/actions/${this.nextId}` }] } });
      this.onDropletCreated?.(d.id);
      return;
    }
    if ((m = /^\/v2\/droplets\/(\d+)$/.exec(p))) {
      const d = this.droplets.get(Number(m[1]));
      if (!d) return fail(404, 'not_found', 'The resource you were accessing could not be found.');
      if (method === 'GET') return send(200, { droplet: this.dropletJson(d) });
      if (method === 'DELETE') {
        await d.host?.remove().catch(() => undefined);
        this.droplets.delete(d.id);
        for (const f of this.firewalls.values()) f.droplet_ids = (f.droplet_ids as number[]).filter((x) => x !== d.id);
        return send(204);
      }
    }
    if (method === 'POST' && (m = /^\/v2\/droplets\/(\d+)\/actions$/.exec(p))) {
      const d = this.droplets.get(Number(m[1]));
      if (!d) return fail(404, 'not_found', 'The resource you were accessing could not be found.');
      const type = String(body.type);
      d.status = type === 'power_on' || type === 'reboot' ? 'active' : 'off';
      return send(201, { action: this.action(type, d.id, d.region) });
    }
    if (method === 'GET' && (m = /^\/v2\/actions\/(\d+)$/.exec(p))) {
      const a = this.actions.get(Number(m[1]));
      if (!a) return fail(404, 'not_found', 'The resource you were accessing could not be found.');
      return send(200, { action: { ...a, started_at: NOW, completed_at: NOW, resource_type: 'droplet', region: REGIONS.find((r) => r.slug === a.region_slug)! } });
    }
    fail(404, 'not_found', `the fake has no ${method} ${p}`);
  }
}
