// The plan flags a cloud machine whose firewall opens the engine port to the whole internet, by the default or
// by the block, and names where the sources come from; named sources, an SSH-only engine and drivers without a
// firewall are not flagged.
import { expect, it } from 'vitest';
import { amazonec2Traits } from '../../src/drivers/amazonec2/traits.js';
import { sandboxTraits } from '../../src/drivers/sandbox/traits.js';
import { defaultEngine, type DriverTraits, type MachineSpec } from '../../src/model/index.js';
import { openEngineWarning } from '../../src/plan/insecure.js';

const spec = (traits: DriverTraits, driverOptions: Record<string, unknown>, transport: 'tcp' | 'ssh' = 'tcp'): MachineSpec => ({
  name: 'web',
  driver: traits.name,
  driverOptions,
  traits,
  engine: { ...defaultEngine(), transport },
  tls: { enabled: true, san: [] },
});

it('flags the default sources, and world-open sources written in the block', () => {
  expect(openEngineWarning(spec(amazonec2Traits, {}))).toBe(
    'machine web: its firewall opens the Docker API port 2376 to the whole internet (amazonec2.engine_sources defaults to 0.0.0.0/0 and ::/0): only mutual TLS guards it; name your addresses in amazonec2.engine_sources',
  );
  expect(openEngineWarning(spec(amazonec2Traits, { engine_sources: ['10.0.0.0/8', '::/0'] }))).toContain('to the whole internet (amazonec2.engine_sources):');
});

it('does not flag named sources, an engine reached over SSH only, or a driver without a firewall', () => {
  expect(openEngineWarning(spec(amazonec2Traits, { engine_sources: ['203.0.113.7/32'] }))).toBeUndefined();
  expect(openEngineWarning(spec(amazonec2Traits, {}, 'ssh'))).toBeUndefined();
  expect(openEngineWarning(spec(sandboxTraits, {}))).toBeUndefined();
});
