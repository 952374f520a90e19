// An image reference holding a sensitive value: the address, node name, plan text and JSON use a stand-in.
import { describe, expect, it } from 'vitest';
import { plan, planToJson, renderPlanText } from '../../src/plan/index.js';
import { imageNodeName } from '../../src/plan/image-name.js';
import { container, desired, emptyState, machine } from './fixtures.js';

const SECRET = 'tok-9f3a1c';
const REF = `registry.example.com/${SECRET}/app:1`;

function shop(value = SECRET, digest = 'a1'.repeat(32)) {
  const d = desired({ machines: [machine('m1')], containers: [container('app', { image: `registry.example.com/${value}/app:1` })], sensitiveValues: [value] });
  d.sensitiveDigests = [[value, digest]];
  return d;
}

describe('an image reference with a sensitive value', () => {
  it('is planned under a stand-in name in every field of the plan', () => {
    const p = plan(shop(), emptyState(), { refreshed: false, machines: {} });
    const image = p.nodes.find((n) => n.kind === 'image')!;
    expect(image.address).toMatch(/^image\.\(sensitive\)#[0-9a-f]{12}\[m1\]$/);
    expect(image.name).toMatch(/^\(sensitive\)#[0-9a-f]{12}$/);
    expect(p.nodes.find((n) => n.kind === 'container')!.dependsOn).toContain(image.address);
    for (const out of [renderPlanText(p), JSON.stringify(planToJson(p)), JSON.stringify(p)]) expect(out).not.toContain(SECRET);
  });

  it('gets a name that is stable, differs per value, and is not the plain sha256 of the reference', () => {
    const a = imageNodeName(REF, shop());
    expect(imageNodeName(REF, shop())).toBe(a);
    expect(imageNodeName(`registry.example.com/other/app:1`, { sensitiveValues: ['other'], sensitiveDigests: [['other', 'b2'.repeat(32)]] })).not.toBe(a);
    // The digest (salted scrypt of the value) is what the name is made from: another digest, another name.
    expect(imageNodeName(REF, shop(SECRET, 'c3'.repeat(32)))).not.toBe(a);
    expect(imageNodeName('nginx:1.27', shop())).toBe('nginx:1.27');
  });
});
