// The planner with declared registries: a moved tag replaces the containers using it; build.push builds on one
// machine and the others pull after it; the plan says which path each image takes and what it did not check.
import { describe, expect, it } from 'vitest';
import type { Desired, PlanNode, RegistrySpec } from '../../src/model/index.js';
import { plan, renderPlanText } from '../../src/plan/index.js';
import { clone, container, converged, desired, emptyState, imageId, machine, notRefreshed } from './fixtures.js';

const ADDR = 'registry.example.com:5000';
const REF = `${ADDR}/team/app:1`;
const REG: RegistrySpec = { name: 'priv', address: ADDR, username: 'bob', password: 'hunter2-secret', mirror: false };
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const node = (nodes: PlanNode[], address: string): PlanNode => {
  const n = nodes.find((x) => x.address === address);
  if (!n) throw new Error(`no node ${address} in ${nodes.map((x) => x.address).join(', ')}`);
  return n;
};

function withRegistry(d: Desired): Desired {
  return { ...d, registries: { priv: REG }, sensitiveValues: ['hunter2-secret'] };
}

describe('a tag that moved in the registry', () => {
  const d = withRegistry(desired({ machines: [machine('m1'), machine('m2')], containers: [container('app', { image: REF, machines: ['m1', 'm2'] })] }));
  const { state, observed } = converged(d);
  for (const m of ['m1', 'm2']) {
    observed.machines[m].images = [{ id: imageId(REF), repoTags: [REF], repoDigests: [`${ADDR}/team/app@${A}`] }];
  }
  observed.at = '2026-06-10T12:00:00.000Z';

  it('replaces the containers using it on the machines where it moved, and names both digests', () => {
    const moved = clone(observed);
    moved.machines.m1.tags = { [REF]: { digest: B } };
    moved.machines.m2.tags = { [REF]: { digest: A } };
    const p = plan(d, state, moved);
    const img = node(p.nodes, `image.${REF}[m1]`);
    expect(img.action).toBe('update');
    expect(img.reasons).toEqual([`tag moved: ${A} → ${B}: pulled from registry priv (${ADDR})`]);
    expect(img.image).toMatchObject({ ref: REF, pullPolicy: 'always', registry: 'priv', digest: B });
    const c = node(p.nodes, 'container.app[m1]');
    expect(c.action).toBe('replace');
    expect(c.reasons).toEqual([`image ${REF} tag moved: ${A} → ${B}`]);
    expect(c.dependsOn).toContain(`image.${REF}[m1]`);
    expect(node(p.nodes, `image.${REF}[m2]`).action).toBe('noop');
    expect(node(p.nodes, 'container.app[m2]').action).toBe('noop');
    const text = renderPlanText(p);
    expect(text).toContain(`# (tag moved: ${A} → ${B}`);
    expect(JSON.stringify(p) + text).not.toContain('hunter2-secret');
  });

  it('an unmoved tag plans no change; with --refresh=false the plan says it did not check', () => {
    const same = clone(observed);
    for (const m of ['m1', 'm2']) same.machines[m].tags = { [REF]: { digest: A } };
    expect(plan(d, state, same).summary).toEqual({ add: 0, change: 0, destroy: 0 });
    const offline = plan(d, state, notRefreshed);
    expect(offline.warnings).toContain(`image.${REF}[m1]: tag not checked in registry priv (${ADDR}) (--refresh=false)`);
    expect(renderPlanText(offline)).toContain('tag not checked in registry priv');
  });

  it('a registry that refused the check is a warning, not a change', () => {
    const refused = clone(observed);
    for (const m of ['m1', 'm2']) refused.machines[m].tags = { [REF]: { error: `registry priv (${ADDR}) refused the credentials` } };
    const p = plan(d, state, refused);
    expect(p.summary).toEqual({ add: 0, change: 0, destroy: 0 });
    expect(p.warnings.some((w) => w.includes('refused the credentials'))).toBe(true);
  });
});

describe('build.push', () => {
  const build = { context: '/srv/shop/app', args: {}, push: 'priv' };
  const d = withRegistry(
    desired({ machines: [machine('m1'), machine('m2'), machine('m3')], containers: [container('app', { image: REF, machines: ['m3', 'm1', 'm2'], build, pull_policy: 'build' })] }),
  );

  it('builds on the first machine and pushes; the others pull from the registry after it', () => {
    const p = plan(d, emptyState(), notRefreshed);
    const b = node(p.nodes, `image.${REF}[m1]`);
    expect(b.image).toMatchObject({ pullPolicy: 'build', buildFrom: 'app', push: true, registry: 'priv' });
    expect(b.reasons).toContain(`built here and pushed to registry priv (${ADDR}); the other machines pull it from there`);
    for (const m of ['m2', 'm3']) {
      const n = node(p.nodes, `image.${REF}[${m}]`);
      expect(n.action).toBe('create');
      expect(n.image).toMatchObject({ pullPolicy: 'always', registry: 'priv' });
      expect(n.image?.buildFrom).toBeUndefined();
      expect(n.image?.push).toBeUndefined();
      expect(n.dependsOn).toContain(`image.${REF}[m1]`);
      expect(n.reasons).toEqual([`not on the machine: pulled from registry priv (${ADDR}) once image.${REF}[m1] has pushed it`]);
    }
  });

  it('with pull_policy missing, a builder that has the image still pushes for a machine that lacks it', () => {
    const missing = clone(d);
    missing.containers.app.pull_policy = 'missing';
    const { state, observed } = converged(missing);
    observed.machines.m3.images = [];
    const p = plan(missing, state, observed);
    const b = node(p.nodes, `image.${REF}[m1]`);
    expect(b.action).toBe('read');
    expect(b.reasons).toEqual(['pushed again for m3']);
    expect(node(p.nodes, `image.${REF}[m2]`).action).toBe('noop');
    expect(node(p.nodes, `image.${REF}[m3]`).dependsOn).toContain(`image.${REF}[m1]`);
  });
});
