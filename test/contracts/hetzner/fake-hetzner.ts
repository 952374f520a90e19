// A stateful fake of the Hetzner Cloud API for the contract tests. It sits behind `prism proxy … --errors`, so
// its answers are held to Hetzner's API description as much as the driver's requests are. It keeps servers,
// SSH keys, firewalls and actions; can give each server a real host (test/helpers/cloud-host.ts); and can be
// told to fail: queued answers (429 with Retry-After, 500), a server type it refuses (422), servers that never
// become active, an answer that breaks the spec.
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IMAGES, LOCATIONS, SERVER_TYPES } from './fake-catalog.js';

export interface FakeHost {
  ip: string;
  remove(): Promise<void>;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  /** How many matching requests get this answer. */
  times: number;
  headers?: Record<string, string>;
  code?: string;
  message?: string;
  /** Carry the request out first, then answer with the fault (a create that worked but whose answer was lost). */
  after?: boolean;
}

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
}

type Labels = Record<string, string>;

interface ServerRec {
  id: number;
  name: string;
  status: 'initializing' | 'running' | 'off' | 'deleting';
  labels: Labels;
  created: string;
  typeName: string;
  location: string;
  imageId: number;
  firewalls: number[];
  ip?: string;
  host?: FakeHost;
  createAction: number;
}

interface ActionRec {
  id: number;
  command: string;
  status: 'running' | 'success' | 'error';
  resources: { id: number; type: string }[];
  started: string;
  finished: string | null;
}

const NOW = '2026-12-02T07:00:00Z';

export class FakeHetzner {
  readonly servers = new Map<number, ServerRec>();
  readonly sshKeys = new Map<number, { id: number; name: string; public_key: string; labels: Labels; fingerprint: string; created: string }>();
  readonly firewalls = new Map<number, { id: number; name: string; labels: Labels; rules: unknown[]; created: string }>();
  readonly actions = new Map<number, ActionRec>();
  readonly requests: FakeRequest[] = [];
  readonly faults: Fault[] = [];
  /** The most items a list answer holds, whatever per_page asks (Hetzner's own cap is 50). */
  pageSize = 50;
  /** Each list page served, as `PATH page N`. */
  readonly listed: string[] = [];
  /** Server types whose create is refused with 422 (sold out, say), though they are listed. */
  readonly refusedTypes = new Set<string>();
  /** New servers stay `initializing` while this is set. */
  neverActive = false;
  /** The next GET /servers/{id} answers a server without its required `status` (a spec violation). */
  breakNextServer = false;
  /** Called when a create-server request has been answered (a test may "crash" the client then). */
  onServerCreated?: (id: number) => void;
  private nextId = 100;
  private http?: HttpServer;
  private pendingHosts = new Set<Promise<unknown>>();

  constructor(
    private readonly token: string,
    /** Gives a server a real host; without it, a server gets a documentation address (203.0.113.x). */
    private readonly makeHost?: (server: { id: number; name: string }, publicKeys: string[]) => Promise<FakeHost>,
  ) {}

  async start(): Promise<string> {
    this.http = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.http!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pendingHosts]);
    for (const s of this.servers.values()) await s.host?.remove().catch(() => undefined);
    await new Promise<void>((r) => this.http?.close(() => r()) ?? r());
  }

  /** Everything the fake still holds. */
  holdings(): { servers: number; sshKeys: number; firewalls: number } {
    return { servers: this.servers.size, sshKeys: this.sshKeys.size, firewalls: this.firewalls.size };
  }

  /** Lets servers stuck in `initializing` come up. */
  activate(): void {
    this.neverActive = false;
    for (const s of this.servers.values()) if (s.status === 'initializing') this.bringUp(s);
  }

  private id(): number {
    return this.nextId++;
  }

  private action(command: string, resource: { id: number; type: string }, done: boolean): ActionRec {
    const a: ActionRec = { id: this.id(), command, status: done ? 'success' : 'running', resources: [resource], started: NOW, finished: done ? NOW : null };
    this.actions.set(a.id, a);
    return a;
  }

  private actionJson(a: ActionRec) {
    return { id: a.id, command: a.command, status: a.status, progress: a.status === 'running' ? 0 : 100, started: a.started, finished: a.finished, resources: a.resources, error: null };
  }

  private serverJson(s: ServerRec) {
    const type = SERVER_TYPES.find((t) => t.name === s.typeName)!;
    const loc = LOCATIONS.find((l) => l.name === s.location)!;
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      created: s.created,
      labels: s.labels,
      public_net: {
        ipv4: s.ip ? { id: s.id + 1_000_000, ip: s.ip, blocked: false, dns_ptr: `static.${s.ip}.clients.your-server.de` } : null,
        ipv6: null,
        floating_ips: [],
        firewalls: s.firewalls.map((id) => ({ id, status: 'applied' })),
      },
      private_net: [],
      server_type: type,
      datacenter: {
        id: loc.id,
        name: `${loc.name}-dc14`,
        description: `${loc.city} DC 14`,
        location: loc,
        server_types: { supported: SERVER_TYPES.map((t) => t.id), available: SERVER_TYPES.map((t) => t.id), available_for_migration: [] },
      },
      location: loc,
      image: IMAGES.find((i) => i.id === s.imageId)!,
      iso: null,
      rescue_enabled: false,
      locked: false,
      backup_window: null,
      outgoing_traffic: 0,
      ingoing_traffic: 0,
      included_traffic: 21990232555520,
      protection: { delete: false, rebuild: false },
      volumes: [],
      load_balancers: [],
      primary_disk_size: type.disk,
    };
  }

  private bringUp(s: ServerRec): void {
    const finish = (ip: string): void => {
      if (!this.servers.has(s.id) || s.status === 'deleting') return;
      s.ip = ip;
      s.status = 'running';
      const a = this.actions.get(s.createAction);
      if (a) Object.assign(a, { status: 'success', finished: NOW });
    };
    if (!this.makeHost) return finish(`203.0.113.${(s.id % 250) + 1}`);
    const keys = [...this.sshKeys.values()].map((k) => k.public_key);
    const p = this.makeHost({ id: s.id, name: s.name }, keys).then(
      async (host) => {
        if (!this.servers.has(s.id) || s.status === 'deleting') return host.remove();
        s.host = host;
        finish(host.ip);
      },
      (err: Error) => console.error(`fake hetzner: host for server ${s.id}: ${err.message}`),
    );
    this.pendingHosts.add(p);
    void p.finally(() => this.pendingHosts.delete(p));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}): void => {
      this.requests.push({ method, path: url.pathname, status });
      res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string, headers?: Record<string, string>): void =>
      send(status, { error: { code, message, details: {} } }, headers);

    if (req.headers.authorization !== `Bearer ${this.token}`) return fail(401, 'unauthorized', 'unable to authenticate');
    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(url.pathname));
    if (fault) {
      fault.times--;
      if (fault.after) {
        try {
          this.route(method, url, text ? (JSON.parse(text) as Record<string, unknown>) : {}, () => undefined, () => undefined);
        } catch {
          // the fault's answer stands
        }
      }
      return fail(fault.status, fault.code ?? (fault.status === 429 ? 'rate_limit_exceeded' : 'server_error'), fault.message ?? `injected ${fault.status}`, fault.headers);
    }
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      return fail(400, 'json_error', 'invalid JSON');
    }
    try {
      this.route(method, url, body, send, fail);
    } catch (err) {
      fail(500, 'server_error', (err as Error).message);
    }
  }

  private route(
    method: string,
    url: URL,
    body: Record<string, unknown>,
    send: (status: number, body?: unknown, headers?: Record<string, string>) => void,
    fail: (status: number, code: string, message: string) => void,
  ): void {
    const q = url.searchParams;
    // Paged as Hetzner pages: per_page (default 25, at most `pageSize`), page, and meta.pagination naming the others.
    const page = <T>(key: string, items: T[]) => {
      const per = Math.min(Number(q.get('per_page')) || 25, this.pageSize);
      const n = Math.max(1, Number(q.get('page')) || 1);
      const last = Math.max(1, Math.ceil(items.length / per));
      this.listed.push(`${url.pathname} page ${n}`);
      const pagination = { page: n, per_page: per, previous_page: n > 1 ? n - 1 : null, next_page: n < last ? n + 1 : null, last_page: last, total_entries: items.length };
      send(200, { [key]: items.slice((n - 1) * per, n * per), meta: { pagination } });
    };
    const byName = <T extends { name: string | null }>(items: T[]) => (q.get('name') ? items.filter((i) => i.name === q.get('name')) : items);
    const selected = <T extends { labels: Labels }>(items: T[]) => items.filter((i) => matches(i.labels, q.get('label_selector')));
    const p = url.pathname;
    let m: RegExpExecArray | null;

    if (method === 'GET' && p === '/locations') return page('locations', byName(LOCATIONS));
    if (method === 'GET' && p === '/server_types') return page('server_types', byName(SERVER_TYPES));
    if (method === 'GET' && p === '/images') {
      const types = q.getAll('type');
      const arch = q.get('architecture');
      return page('images', byName(IMAGES).filter((i) => (!types.length || types.includes(i.type)) && (!arch || i.architecture === arch)));
    }
    if (method === 'GET' && p === '/ssh_keys') return page('ssh_keys', selected(byName([...this.sshKeys.values()])));
    if (method === 'POST' && p === '/ssh_keys') {
      const name = String(body.name);
      const key = String(body.public_key);
      if ([...this.sshKeys.values()].some((k) => k.name === name)) return fail(409, 'uniqueness_error', 'SSH key with the same name already exists');
      if ([...this.sshKeys.values()].some((k) => k.public_key.split(' ')[1] === key.split(' ')[1])) return fail(409, 'uniqueness_error', 'SSH key with the same fingerprint already exists');
      const k = { id: this.id(), name, public_key: key, labels: (body.labels as Labels) ?? {}, fingerprint: 'b7:2f:30:a0:2f:6c:58:6c:21:04:58:61:ba:06:3b:2f', created: NOW };
      this.sshKeys.set(k.id, k);
      return send(201, { ssh_key: k });
    }
    if (method === 'DELETE' && (m = /^\/ssh_keys\/(\d+)$/.exec(p))) {
      if (!this.sshKeys.delete(Number(m[1]))) return fail(404, 'not_found', 'SSH key not found');
      return send(204);
    }
    if (method === 'GET' && p === '/firewalls') return page('firewalls', selected(byName([...this.firewalls.values()])).map((f) => this.firewallJson(f)));
    if (method === 'POST' && p === '/firewalls') {
      const name = String(body.name);
      if ([...this.firewalls.values()].some((f) => f.name === name)) return fail(409, 'uniqueness_error', 'firewall with the same name already exists');
      const rules = ((body.rules as Record<string, unknown>[]) ?? []).map((r) => ({ description: null, destination_ips: [], port: null, source_ips: [], ...r }));
      const f = { id: this.id(), name, labels: (body.labels as Labels) ?? {}, rules, created: NOW };
      this.firewalls.set(f.id, f);
      return send(201, { firewall: this.firewallJson(f), actions: [] });
    }
    if (method === 'DELETE' && (m = /^\/firewalls\/(\d+)$/.exec(p))) {
      const id = Number(m[1]);
      if (!this.firewalls.has(id)) return fail(404, 'not_found', 'firewall not found');
      if ([...this.servers.values()].some((s) => s.firewalls.includes(id))) return fail(422, 'resource_in_use', 'firewall is still applied to a server');
      this.firewalls.delete(id);
      return send(204);
    }
    if (method === 'GET' && p === '/servers') return page('servers', selected(byName([...this.servers.values()])).map((s) => this.serverJson(s)));
    if (method === 'POST' && p === '/servers') return this.createServer(body, send, fail);
    if ((m = /^\/servers\/(\d+)$/.exec(p))) {
      const s = this.servers.get(Number(m[1]));
      if (!s) return fail(404, 'not_found', 'server not found');
      if (method === 'GET') {
        if (this.breakNextServer) {
          this.breakNextServer = false;
          const { status: _dropped, ...broken } = this.serverJson(s);
          return send(200, { server: broken });
        }
        return send(200, { server: this.serverJson(s) });
      }
      if (method === 'DELETE') {
        s.status = 'deleting';
        const a = this.action('delete_server', { id: s.id, type: 'server' }, false);
        void (async () => {
          await s.host?.remove().catch(() => undefined);
          this.servers.delete(s.id);
          Object.assign(a, { status: 'success', finished: NOW });
        })();
        return send(200, { action: this.actionJson(a) });
      }
    }
    if (method === 'POST' && (m = /^\/servers\/(\d+)\/actions\/(poweron|poweroff|shutdown|reboot)$/.exec(p))) {
      const s = this.servers.get(Number(m[1]));
      if (!s) return fail(404, 'not_found', 'server not found');
      const verb = m[2];
      s.status = verb === 'poweron' || verb === 'reboot' ? 'running' : 'off';
      const command = { poweron: 'start_server', poweroff: 'stop_server', shutdown: 'shutdown_server', reboot: 'reboot_server' }[verb]!;
      return send(201, { action: this.actionJson(this.action(command, { id: s.id, type: 'server' }, true)) });
    }
    if (method === 'GET' && (m = /^\/actions\/(\d+)$/.exec(p))) {
      const a = this.actions.get(Number(m[1]));
      if (!a) return fail(404, 'not_found', 'action not found');
      return send(200, { action: this.actionJson(a) });
    }
    fail(404, 'not_found', `the fake has no ${method} ${p}`);
  }

  private firewallJson(f: { id: number; name: string; labels: Labels; rules: unknown[]; created: string }) {
    const applied = [...this.servers.values()].filter((s) => s.firewalls.includes(f.id));
    return { ...f, applied_to: applied.map((s) => ({ type: 'server', server: { id: s.id } })) };
  }

  private createServer(
    body: Record<string, unknown>,
    send: (status: number, body?: unknown) => void,
    fail: (status: number, code: string, message: string) => void,
  ): void {
    const name = String(body.name);
    const typeName = String(body.server_type);
    const location = String(body.location ?? 'fsn1');
    const type = SERVER_TYPES.find((t) => t.name === typeName || String(t.id) === typeName);
    if (!type || this.refusedTypes.has(typeName)) return fail(422, 'invalid_input', `server type ${typeName} cannot be created here`);
    if (!LOCATIONS.some((l) => l.name === location)) return fail(422, 'invalid_input', `location ${location} not found`);
    const image = IMAGES.find((i) => (i.name === body.image || String(i.id) === body.image) && i.architecture === type.architecture);
    if (!image) return fail(422, 'invalid_input', `image ${String(body.image)} not found`);
    if ([...this.servers.values()].some((s) => s.name === name)) return fail(409, 'uniqueness_error', 'server name is already used');
    for (const k of (body.ssh_keys as string[]) ?? []) {
      if (![...this.sshKeys.values()].some((x) => String(x.id) === k || x.name === k)) return fail(422, 'invalid_input', `SSH key ${k} not found`);
    }
    const firewalls = ((body.firewalls as { firewall: number }[]) ?? []).map((f) => f.firewall);
    for (const f of firewalls) if (!this.firewalls.has(f)) return fail(422, 'invalid_input', `firewall ${f} not found`);
    const id = this.id();
    const a = this.action('create_server', { id, type: 'server' }, false);
    const s: ServerRec = { id, name, status: 'initializing', labels: (body.labels as Labels) ?? {}, created: NOW, typeName: type.name, location, imageId: image.id, firewalls, createAction: a.id };
    this.servers.set(id, s);
    send(201, { server: this.serverJson(s), action: this.actionJson(a), next_actions: [], root_password: null });
    this.onServerCreated?.(id);
    if (!this.neverActive) this.bringUp(s);
  }
}

/** Hetzner's label selector, equality terms only (`k=v,k2=v2`). */
function matches(labels: Labels, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return v === undefined ? k in labels : labels[k] === v;
  });
}
