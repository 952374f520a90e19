// The planning decision of an image node, one row per pull_policy (Compose's values) and per registry case.
import { describe, expect, it } from 'vitest';
import type { ContainerPullPolicy, RegistrySpec } from '../../src/model/index.js';
import { pullIntervalSeconds } from '../../src/model/index.js';
import { decideImage, type ImageDecisionInput } from '../../src/plan/image-decision.js';

const REG: RegistrySpec = { name: 'priv', address: 'registry.example.com:5000', mirror: false };
const NOW = '2026-06-10T12:00:00.000Z';
const hoursAgo = (h: number): string => new Date(Date.parse(NOW) - h * 3_600_000).toISOString();
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const input = (over: Partial<ImageDecisionInput>): ImageDecisionInput => ({
  address: 'image.app:1[m1]',
  ref: 'app:1',
  policy: 'missing',
  present: true,
  refreshed: true,
  now: NOW,
  builds: false,
  ...over,
});

describe('pull_policy decides the image node', () => {
  const rows: [string, Partial<ImageDecisionInput>, { action: string; pullPolicy: string; reason?: string }][] = [
    ['always pulls even when present', { policy: 'always' }, { action: 'read', pullPolicy: 'always', reason: 'pulled at apply (pull_policy always)' }],
    ['missing keeps a present image', { policy: 'missing' }, { action: 'noop', pullPolicy: 'missing' }],
    ['missing gets an absent image', { policy: 'missing', present: false }, { action: 'create', pullPolicy: 'missing', reason: 'not on the machine (pull_policy missing)' }],
    ['never keeps a present image', { policy: 'never' }, { action: 'noop', pullPolicy: 'never' }],
    ['never does not get an absent image', { policy: 'never', present: false }, { action: 'noop', pullPolicy: 'never', reason: 'not on the machine (pull_policy never)' }],
    ['build rebuilds a present image', { policy: 'build', builds: true }, { action: 'read', pullPolicy: 'build', reason: 'rebuilt at apply (pull_policy build)' }],
    ['build builds an absent image', { policy: 'build', builds: true, present: false }, { action: 'create', pullPolicy: 'build', reason: 'not on the machine (pull_policy build: built at apply)' }],
    ['daily pulls when the last pull is 25 h old', { policy: 'daily', lastPull: hoursAgo(25) }, { action: 'read', pullPolicy: 'always', reason: `last pulled ${hoursAgo(25)}: pulled again (pull_policy daily)` }],
    ['daily keeps an image pulled 23 h ago', { policy: 'daily', lastPull: hoursAgo(23) }, { action: 'noop', pullPolicy: 'missing' }],
    ['weekly pulls when the last pull is 8 days old', { policy: 'weekly', lastPull: hoursAgo(24 * 8) }, { action: 'read', pullPolicy: 'always' }],
    ['weekly keeps an image pulled 6 days ago', { policy: 'weekly', lastPull: hoursAgo(24 * 6) }, { action: 'noop', pullPolicy: 'missing' }],
    ['every_12h pulls after 13 h', { policy: 'every_12h', lastPull: hoursAgo(13) }, { action: 'read', pullPolicy: 'always' }],
    ['every_12h keeps an image pulled 11 h ago', { policy: 'every_12h', lastPull: hoursAgo(11) }, { action: 'noop', pullPolicy: 'missing' }],
    ['every_1d30m keeps an image pulled 24 h ago', { policy: 'every_1d30m', lastPull: hoursAgo(24) }, { action: 'noop', pullPolicy: 'missing' }],
    ['a time-based policy with no pull recorded pulls', { policy: 'daily' }, { action: 'read', pullPolicy: 'always', reason: 'no pull recorded: pulled again (pull_policy daily)' }],
    ['a time-based policy gets an absent image like missing', { policy: 'every_5m', present: false }, { action: 'create', pullPolicy: 'missing' }],
  ];
  for (const [name, over, want] of rows) {
    it(name, () => {
      const d = decideImage(input(over));
      expect(d.action).toBe(want.action);
      expect(d.pullPolicy).toBe(want.pullPolicy);
      if (want.reason) expect(d.reasons).toEqual([want.reason]);
    });
  }

  it('reads the intervals as Compose writes them', () => {
    const cases: [ContainerPullPolicy, number | undefined][] = [
      ['daily', 86_400],
      ['weekly', 604_800],
      ['every_12h', 43_200],
      ['every_1w2d', 777_600],
      ['every_1d30m', 88_200],
      ['every_90s', 90],
      ['missing', undefined],
      ['always', undefined],
    ];
    for (const [p, s] of cases) expect(pullIntervalSeconds(p), p).toBe(s);
  });

  it('without a refresh, a time-based policy is not checked and the plan says so', () => {
    const d = decideImage(input({ policy: 'daily', now: undefined, refreshed: false, lastPull: hoursAgo(100) }));
    expect(d.action).toBe('noop');
    expect(d.warnings).toEqual(['image.app:1[m1]: pull_policy daily not checked (--refresh=false)']);
  });
});

describe('a declared registry', () => {
  const ref = 'registry.example.com:5000/team/app:1';
  const base = { ref, registry: REG, address: `image.${ref}[m1]` };

  it('a tag that moved updates the image and names both digests; containers are told why they are replaced', () => {
    const d = decideImage(input({ ...base, tag: { digest: B }, localDigest: A }));
    expect(d.action).toBe('update');
    expect(d.pullPolicy).toBe('always');
    expect(d.reasons).toEqual([`tag moved: ${A} → ${B}: pulled from registry priv (registry.example.com:5000)`]);
    expect(d.moved).toBe(`image ${ref} tag moved: ${A} → ${B}`);
    expect(d.digest).toBe(B);
  });

  it('an unmoved tag changes nothing and carries the digest', () => {
    const d = decideImage(input({ ...base, tag: { digest: A }, localDigest: A }));
    expect(d).toMatchObject({ action: 'noop', digest: A, warnings: [] });
    expect(d.moved).toBeUndefined();
  });

  it('an absent image is pulled from the registry, not copied from the local engine', () => {
    const d = decideImage(input({ ...base, present: false, tag: { digest: A } }));
    expect(d).toMatchObject({ action: 'create', pullPolicy: 'always', digest: A });
    expect(d.reasons).toEqual(['not on the machine (pull_policy missing): pulled from registry priv (registry.example.com:5000)']);
  });

  it('never does not follow a moved tag, and warns', () => {
    const d = decideImage(input({ ...base, policy: 'never', tag: { digest: B }, localDigest: A }));
    expect(d.action).toBe('noop');
    expect(d.warnings[0]).toContain(`tag moved: ${A} → ${B}`);
  });

  it('with --refresh=false it says the tag was not checked', () => {
    const d = decideImage(input({ ...base, refreshed: false, now: undefined }));
    expect(d.action).toBe('noop');
    expect(d.warnings).toEqual([`image.${ref}[m1]: tag not checked in registry priv (registry.example.com:5000) (--refresh=false)`]);
  });

  it('a registry that did not answer is a warning, and the plan goes on', () => {
    const d = decideImage(input({ ...base, tag: { error: 'registry priv (registry.example.com:5000) is down' } }));
    expect(d.action).toBe('noop');
    expect(d.warnings).toEqual([`image.${ref}[m1]: tag not checked in registry priv (registry.example.com:5000): registry priv (registry.example.com:5000) is down`]);
  });

  it('an image this node builds has no tag to check', () => {
    const d = decideImage(input({ ...base, policy: 'build', builds: true, tag: { digest: B }, localDigest: A, refreshed: false }));
    expect(d).toMatchObject({ action: 'read', warnings: [] });
  });
});
