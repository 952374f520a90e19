// The engine block's defaults, in one place: config normalises onto them, and apply reaches a machine known only
// from the state (being destroyed) with them.
import type { EngineSpec } from './desired.js';

export function defaultEngine(overrides: Partial<EngineSpec> = {}): EngineSpec {
  return {
    install: 'auto',
    port: 2376,
    transport: 'tcp',
    labels: {},
    registryMirrors: [],
    insecureRegistries: [],
    logOpts: {},
    daemon: {},
    uninstall: false,
    ...overrides,
  };
}
