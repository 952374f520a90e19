// Machine specs and a driver context for tests that run sandbox machines (root, namespaces).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { DriverContext, MachineRequest } from '../../src/drivers/driver.js';
import { defaultEngine, type EngineSpec, type MachineSpec } from '../../src/model/index.js';
import { sandboxTraits } from '../../src/drivers/sandbox/traits.js';

export function engineSpec(over: Partial<EngineSpec> = {}): EngineSpec {
  return defaultEngine({ install: 'never', ...over });
}

export function sandboxSpec(name: string, over: { engine?: Partial<EngineSpec>; driverOptions?: Record<string, unknown> } = {}): MachineSpec {
  return {
    name,
    driver: 'sandbox',
    driverOptions: { subnet: '10.213.0.0/24', ...over.driverOptions },
    traits: sandboxTraits,
    engine: engineSpec(over.engine),
    tls: { enabled: true, san: [] },
  };
}

/** A state folder outside /tmp (sshd's StrictModes dislikes world-writable parents). */
export function testStateDir(label: string): string {
  const base = join(process.cwd(), '.test-work');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  return join(mkdtempSync(join(base, `${label}-`)), '.mfile');
}

export function request(machine: MachineSpec, stateDir: string, driverData: Record<string, unknown> = {}): MachineRequest {
  const ctx: DriverContext = { stateDir, project: 'test' };
  return { machine, driverData, ctx };
}
