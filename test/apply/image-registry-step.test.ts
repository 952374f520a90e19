// The image step against a stand-in Engine API (node:http on a unix socket): credentials leave only as the
// X-Registry-Auth header of the pull and push calls, a build.push node pushes after building, the state record
// gets the digest the machine runs, and an error event in the pull stream becomes the registry's one line.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageStep } from '../../src/apply/steps/image.js';
import type { Connections } from '../../src/apply/connections.js';
import type { StepContext } from '../../src/apply/types.js';
import type { Desired, PlanNode, State } from '../../src/model/index.js';
import { container, desired, emptyState, machine } from '../plan/fixtures.js';

const ADDR = 'registry.example.com:5000';
const REF = `${ADDR}/team/app:1`;
const DIGEST = `sha256:${'c'.repeat(64)}`;

interface Seen {
  method: string;
  url: string;
  auth?: unknown;
}

let dir = '';
let server: Server;
const seen: Seen[] = [];
/** What the stand-in engine answers to a pull: progress events, or an error event. */
let pullEvents: object[] = [];
let present = false;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mfile-engine-'));
  server = createServer((req: IncomingMessage, res) => {
    const header = req.headers['x-registry-auth'];
    const auth = typeof header === 'string' ? JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) : undefined;
    seen.push({ method: req.method!, url: req.url!, auth });
    const url = req.url!.replace(/^\/v[\d.]+/, '');
    res.setHeader('Content-Type', 'application/json');
    if (url.startsWith('/images/create')) {
      present = !pullEvents.some((e) => 'error' in e);
      return res.end(pullEvents.map((e) => JSON.stringify(e) + '\n').join(''));
    }
    if (/^\/images\/.*\/push/.test(url)) return res.end(JSON.stringify({ status: 'Pushed' }) + '\n' + JSON.stringify({ aux: { Digest: DIGEST } }));
    if (/^\/images\/.*\/json/.test(url)) {
      if (!present) return (res.statusCode = 404), res.end(JSON.stringify({ message: `No such image: ${REF}` }));
      return res.end(JSON.stringify({ Id: 'sha256:img1', RepoDigests: [`${ADDR}/team/app@${DIGEST}`] }));
    }
    res.statusCode = 404;
    res.end(JSON.stringify({ message: `unexpected ${req.method} ${url}` }));
  });
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'engine.sock'), resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function context(node: Partial<PlanNode>): { ctx: StepContext; lines: string[] } {
  const d: Desired = {
    ...desired({ machines: [machine('m1')], containers: [container('app', { image: REF })] }),
    registries: { priv: { name: 'priv', address: ADDR, username: 'bob', password: 'pw-never-elsewhere', mirror: false } },
    sensitiveValues: ['pw-never-elsewhere'],
  };
  const docker = new Docker({ socketPath: path.join(dir, 'engine.sock') });
  const state: State = emptyState();
  const lines: string[] = [];
  const ctx = {
    node: { address: `image.${REF}[m1]`, kind: 'image', machine: 'm1', name: REF, action: 'create', reasons: [], before: null, after: { ref: REF }, dependsOn: [], ...node },
    desired: d,
    state,
    conns: { docker: async () => docker, local: () => docker } as unknown as Connections,
    signal: new AbortController().signal,
    progress: (t: string) => lines.push(t),
    options: {},
  } as StepContext;
  return { ctx, lines };
}

describe('the image step with a declared registry', () => {
  it('pulls with the credentials in X-Registry-Auth and records the digest the machine runs', async () => {
    seen.length = 0;
    present = false;
    pullEvents = [{ status: 'Pulling from team/app', id: '1' }, { status: `Digest: ${DIGEST}` }];
    const { ctx } = context({ image: { ref: REF, pullPolicy: 'always', registry: 'priv' } });
    const out = await imageStep.run(ctx);
    const pull = seen.find((s) => s.url.includes('/images/create'))!;
    expect(pull.auth).toEqual({ username: 'bob', password: 'pw-never-elsewhere', serveraddress: ADDR });
    // Only the registry calls carry it.
    expect(seen.filter((s) => s.auth !== undefined).map((s) => s.url.replace(/\?.*/, '').replace(/^\/v[\d.]+/, ''))).toEqual(['/images/create']);
    expect(out.record?.attributes).toMatchObject({ ref: REF, digest: DIGEST });
    expect(typeof out.record?.attributes?.pulled_at).toBe('string');
    expect(JSON.stringify(out)).not.toContain('pw-never-elsewhere');
  });

  it('a build.push node pushes with the credentials once it has the image', async () => {
    seen.length = 0;
    present = true;
    const { ctx } = context({ action: 'read', image: { ref: REF, pullPolicy: 'missing', registry: 'priv', push: true } });
    const out = await imageStep.run(ctx);
    const push = seen.find((s) => /\/push/.test(s.url))!;
    expect(push.auth).toEqual({ username: 'bob', password: 'pw-never-elsewhere', serveraddress: ADDR });
    expect(out.text).toBe('present, pushed');
  });

  it('an error event in the pull stream becomes one line naming the registry, the image and the machine', async () => {
    present = false;
    pullEvents = [{ errorDetail: { message: `Head "https://${ADDR}/v2/team/app/manifests/1": unauthorized: authentication required` }, error: 'unauthorized' }];
    const { ctx } = context({ image: { ref: REF, pullPolicy: 'always', registry: 'priv' } });
    await expect(imageStep.run(ctx)).rejects.toThrow(`registry priv (${ADDR}) refused the credentials to pull ${REF} (wrong username or password for user bob)`);
  });
});
