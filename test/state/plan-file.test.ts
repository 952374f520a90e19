import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StalePlanError, UsageError } from '../../src/errors.js';
import type { Desired } from '../../src/model/desired.js';
import type { Plan } from '../../src/model/plan.js';
import type { State } from '../../src/model/state.js';
import { assertPlanFresh, assertPlanUnchanged, readPlanFile, writePlanFile } from '../../src/state/plan-file.js';
import { MFILE_VERSION } from '../../src/version.js';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mfile-planfile-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function aPlan(over: Partial<Plan> = {}): Plan {
  return {
    formatVersion: 2,
    mfileVersion: MFILE_VERSION,
    project: 'shop',
    configPath: '/srv/shop/machines.yml',
    configDigest: 'd1',
    stateLineage: 'lineage-a',
    stateSerial: 3,
    destroy: false,
    nodes: [
      { address: 'machine.web-1', kind: 'machine', machine: 'web-1', name: 'web-1', action: 'noop', reasons: [], before: {}, after: {}, dependsOn: [] },
      {
        address: 'container.web[web-1]', kind: 'container', machine: 'web-1', name: 'web', action: 'replace',
        reasons: ['image changed: nginx:1.26 -> nginx:1.27'], before: { image: 'nginx:1.26' }, after: { image: 'nginx:1.27' },
        dependsOn: ['machine.web-1'], existingId: 'abc123', configHash: 'h1',
        replaceStrategy: { kind: 'stop-first', because: ['published port 8080'] },
      },
    ],
    summary: { add: 1, change: 0, destroy: 1 },
    warnings: [],
    ...over,
  };
}

const aState = (over: Partial<State> = {}): State => ({
  version: 1, mfile_version: MFILE_VERSION, lineage: 'lineage-a', serial: 3, machines: {}, objects: {}, ...over,
});
const KEY = Buffer.alloc(32, 7);
const aDesired = (digest = 'd1'): Desired => ({ configPath: '/srv/shop/machines.yml', configDigest: digest }) as Desired;

describe('plan files', () => {
  it('round-trips a plan, written 0600', async () => {
    const file = path.join(tmpDir(), 'tfplan.json');
    await writePlanFile(file, aPlan(), KEY);
    expect(assertPlanUnchanged(readPlanFile(file), KEY, file)).toEqual(aPlan());
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['tfplan.json']);
  });

  it('explains a missing file, a non-JSON file and a non-plan', async () => {
    const dir = tmpDir();
    expect(() => readPlanFile(path.join(dir, 'nope.json'))).toThrow(/plan file .*nope\.json does not exist/);
    fs.writeFileSync(path.join(dir, 'machines.yml'), 'version: 1\n');
    expect(() => readPlanFile(path.join(dir, 'machines.yml'))).toThrow(UsageError);
    expect(() => readPlanFile(path.join(dir, 'machines.yml'))).toThrow(/is not valid JSON .*mfile plan --out/);
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(aState()));
    expect(() => readPlanFile(path.join(dir, 'state.json'))).toThrow(/state\.json is not an mfile plan \(no formatVersion\)/);
  });

  it('refuses another format and another mfile version', async () => {
    const file = path.join(tmpDir(), 'p.json');
    fs.writeFileSync(file, JSON.stringify({ ...aPlan(), formatVersion: 3 }));
    expect(() => readPlanFile(file)).toThrow(/has format 3; this mfile reads format 2: run `mfile plan --out` again/);
    fs.writeFileSync(file, JSON.stringify({ ...aPlan(), mfileVersion: '0.0.1', digest: 'x' }));
    expect(() => readPlanFile(file)).toThrow(`was made by mfile 0.0.1, this is mfile ${MFILE_VERSION}; make a new plan`);
  });

  it('refuses a format 1 plan (its nodes carry no config hashes, replace strategies or pull policies)', () => {
    const file = path.join(tmpDir(), 'p.json');
    fs.writeFileSync(file, JSON.stringify({ ...aPlan(), formatVersion: 1 }));
    expect(() => readPlanFile(file)).toThrow(UsageError);
    expect(() => readPlanFile(file)).toThrow(
      /has format 1 \(an older mfile made it: its steps lack what this one needs\); this mfile reads format 2: run `mfile plan --out` again/,
    );
  });

  it('names what is wrong in the step data of a damaged plan', () => {
    const file = path.join(tmpDir(), 'p.json');
    const plan = aPlan();
    const node = (over: Record<string, unknown>) => ({ address: 'container.web[m1]', kind: 'container', machine: 'm1', name: 'web', action: 'replace', reasons: [], before: null, after: null, dependsOn: [], ...over });
    plan.nodes = [
      node({ configHash: 7, replaceStrategy: { kind: 'stop-first' } }),
      node({ address: 'image.nginx[m1]', kind: 'image', name: 'nginx', action: 'create', image: { ref: 'nginx', pullPolicy: 'sometimes' } }),
    ] as never;
    fs.writeFileSync(file, JSON.stringify({ ...plan, digest: 'x' }));
    expect(() => readPlanFile(file)).toThrow(
      /nodes\[0\]\.configHash: expected a string; nodes\[0\]\.replaceStrategy: expected .*; nodes\[1\]\.image\.pullPolicy: expected one of always, missing, never, build/,
    );
  });

  it('names what is wrong in a damaged plan', () => {
    const file = path.join(tmpDir(), 'p.json');
    const bad = aPlan() as unknown as Record<string, unknown>;
    bad.stateSerial = 'three';
    bad.nodes = [{ ...aPlan().nodes[1], action: 'explode', dependsOn: 'machine.web-1', machine: '../../victim' }];
    fs.writeFileSync(file, JSON.stringify(bad));
    const err = (() => { try { readPlanFile(file); } catch (e) { return e as Error; } return null; })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toContain('is not a valid mfile plan');
    expect(err!.message).toContain('stateSerial: expected a whole number');
    expect(err!.message).toContain('nodes[0].action: expected one of create, update, replace, delete, noop, read');
    expect(err!.message).toContain('nodes[0].dependsOn: expected a list of strings');
    expect(err!.message).toContain("nodes[0].machine: a machine name must be lower-case letters, digits and '-'");
  });
});

describe('assertPlanFresh', () => {
  it('accepts a plan made from this state and config', () => {
    expect(() => assertPlanFresh(aPlan(), aState(), aDesired())).not.toThrow();
  });

  it('refuses when the state serial moved', () => {
    expect(() => assertPlanFresh(aPlan({ stateSerial: 3 }), aState({ serial: 5 }), aDesired())).toThrow(StalePlanError);
    expect(() => assertPlanFresh(aPlan({ stateSerial: 3 }), aState({ serial: 5 }), aDesired())).toThrow(
      /^Saved plan is stale: state serial moved from 3 to 5/,
    );
  });

  it('refuses when the lineage changed, even at the same serial', () => {
    expect(() => assertPlanFresh(aPlan(), aState({ lineage: 'lineage-b' }), aDesired())).toThrow(
      /^Saved plan is stale: state lineage changed \(plan made for lineage-a, state is lineage-b\)/,
    );
  });

  it('refuses when machines.yml changed', () => {
    expect(() => assertPlanFresh(aPlan(), aState(), aDesired('d2'))).toThrow(
      /^Saved plan is stale: machines\.yml changed since the plan was made/,
    );
  });

  it('accepts a plan made before any state existed (each read of no state gives a new lineage)', () => {
    const plan = aPlan({ stateSerial: 0, stateLineage: 'fresh-1' });
    expect(() => assertPlanFresh(plan, aState({ serial: 0, lineage: 'fresh-2' }), aDesired())).not.toThrow();
    expect(() => assertPlanFresh(plan, aState({ serial: 1, lineage: 'fresh-2' }), aDesired())).toThrow(/lineage changed/);
  });
});

describe('a saved plan is tied to its digest', () => {
  const saved = async (): Promise<string> => {
    const file = path.join(tmpDir(), 'p.json');
    await writePlanFile(file, aPlan(), KEY);
    return file;
  };
  const edit = (file: string, change: (p: Record<string, any>) => void): void => {
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    change(data);
    fs.writeFileSync(file, JSON.stringify(data, null, 2));
  };
  const refusal = /^plan file .*p\.json was changed after `mfile plan --out` wrote it \(its digest does not match\); refusing to apply it: run `mfile plan --out` again$/;

  it('refuses a node turned into the delete of another project\'s container', async () => {
    const file = await saved();
    edit(file, (p) => {
      Object.assign(p.nodes[1], { action: 'delete', address: 'container.db[web-1]', name: 'db', existingId: 'other-project-db', after: null });
    });
    expect(() => assertPlanUnchanged(readPlanFile(file), KEY, file)).toThrow(UsageError);
    expect(() => assertPlanUnchanged(readPlanFile(file), KEY, file)).toThrow(refusal);
  });

  it('refuses any edit: an attribute, an added field, the config path, a digest copied from another plan', async () => {
    const other = await saved();
    for (const change of [
      (p: Record<string, any>) => (p.nodes[1].after.image = 'evil:1'),
      (p: Record<string, any>) => (p.nodes[0].extra = true),
      (p: Record<string, any>) => (p.configPath = '/srv/evil/machines.yml'),
      (p: Record<string, any>) => p.nodes.pop(),
    ]) {
      const file = await saved();
      edit(file, change);
      expect(() => assertPlanUnchanged(readPlanFile(file), KEY, file)).toThrow(refusal);
    }
    const file = path.join(tmpDir(), 'p.json');
    fs.writeFileSync(file, JSON.stringify({ ...aPlan({ stateSerial: 4 }), digest: JSON.parse(fs.readFileSync(other, 'utf8')).digest }));
    expect(() => assertPlanUnchanged(readPlanFile(file), KEY, file)).toThrow(refusal);
  });

  it('refuses a plan signed with another key, or when this state folder has no key', async () => {
    const file = await saved();
    expect(() => assertPlanUnchanged(readPlanFile(file), Buffer.alloc(32, 8), file)).toThrow(refusal);
    expect(() => assertPlanUnchanged(readPlanFile(file), null, file)).toThrow(/was not made for this state folder \(it has no plan key\)/);
  });

  it('keeps accepting a plan whose file was only re-indented', async () => {
    const file = await saved();
    fs.writeFileSync(file, JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))));
    expect(assertPlanUnchanged(readPlanFile(file), KEY, file)).toEqual(aPlan());
  });
});
