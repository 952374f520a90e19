import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StalePlanError, UsageError } from '../../src/errors.js';
import type { Desired } from '../../src/model/desired.js';
import type { Plan } from '../../src/model/plan.js';
import type { State } from '../../src/model/state.js';
import { assertPlanFresh, readPlanFile, writePlanFile } from '../../src/plan/plan-file.js';
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
    formatVersion: 1,
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
        dependsOn: ['machine.web-1'], existingId: 'abc123',
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
const aDesired = (digest = 'd1'): Desired => ({ configPath: '/srv/shop/machines.yml', configDigest: digest }) as Desired;

describe('plan files', () => {
  it('round-trips a plan, written 0600', async () => {
    const file = path.join(tmpDir(), 'tfplan.json');
    await writePlanFile(file, aPlan());
    expect(readPlanFile(file)).toEqual(aPlan());
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
    fs.writeFileSync(file, JSON.stringify({ ...aPlan(), formatVersion: 2 }));
    expect(() => readPlanFile(file)).toThrow(/has format 2; this mfile reads format 1/);
    fs.writeFileSync(file, JSON.stringify({ ...aPlan(), mfileVersion: '0.0.1' }));
    expect(() => readPlanFile(file)).toThrow(`was made by mfile 0.0.1, this is mfile ${MFILE_VERSION}; make a new plan`);
  });

  it('names what is wrong in a damaged plan', () => {
    const file = path.join(tmpDir(), 'p.json');
    const bad = aPlan() as unknown as Record<string, unknown>;
    bad.stateSerial = 'three';
    bad.nodes = [{ ...aPlan().nodes[1], action: 'explode', dependsOn: 'machine.web-1' }];
    fs.writeFileSync(file, JSON.stringify(bad));
    const err = (() => { try { readPlanFile(file); } catch (e) { return e as Error; } return null; })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toContain('is not a valid mfile plan');
    expect(err!.message).toContain('stateSerial: expected a whole number');
    expect(err!.message).toContain('nodes[0].action: expected one of create, update, replace, delete, noop, read');
    expect(err!.message).toContain('nodes[0].dependsOn: expected a list of strings');
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
