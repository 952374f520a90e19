// One fake Hetzner Cloud behind Prism per test file, and machine specs/requests for the hetzner driver.
import { join } from 'node:path';
import { hetznerTraits } from '../../../src/drivers/hetzner/traits.js';
import type { MachineRequest } from '../../../src/drivers/driver.js';
import { defaultEngine, type MachineSpec } from '../../../src/model/index.js';
import { SPECS, startPrism, type Prism } from '../prism.js';
import { FakeHetzner, type FakeHost } from './fake-hetzner.js';

export const HCLOUD_SPEC = join(SPECS, 'hetzner/hcloud.json');
export const TOKEN = 'hcloud-test-token-5f1e9c';

export interface FakeCloud {
  fake: FakeHetzner;
  prism: Prism;
  stop(): Promise<void>;
}

export async function startFakeCloud(makeHost?: (server: { id: number; name: string }, keys: string[]) => Promise<FakeHost>): Promise<FakeCloud> {
  const fake = new FakeHetzner(TOKEN, makeHost);
  const prism = await startPrism(HCLOUD_SPEC, await fake.start());
  return {
    fake,
    prism,
    stop: async () => {
      await prism.stop();
      await fake.stop();
    },
  };
}

/**
 * Prism's complaints about requests or answers, from its log. Prism 5.14 cannot match Hetzner's lower-case
 * `4xx`/`5xx` response ranges, so an error answer's status draws a warning and its body goes unchecked: those
 * warnings are left out; anything else is a real violation.
 */
export function violations(prism: Prism): string[] {
  return prism
    .log()
    .split('\n')
    .filter((l) => /Violation|Request terminated/.test(l))
    .filter((l) => !l.includes('Unable to match the returned status code with those defined in the document: 200,4xx,5xx') && !l.includes('201,4xx,5xx') && !l.includes('204,4xx,5xx'));
}

export function hetznerSpec(name: string, options: Record<string, unknown>): MachineSpec {
  return {
    name,
    driver: 'hetzner',
    driverOptions: options,
    traits: hetznerTraits,
    engine: defaultEngine({}),
    tls: { enabled: true, san: [] },
  };
}

export function hetznerRequest(spec: MachineSpec, stateDir: string, driverData: Record<string, unknown> = {}, log?: (l: string) => void, signal?: AbortSignal): MachineRequest {
  return { machine: spec, driverData, ctx: { stateDir, project: 'shop', log, signal } };
}
