// Writes a machines.yml (and any side files) into a fresh folder and loads it.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig, type LoadOptions } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import type { Desired } from '../../src/model/desired.js';

export function project(files: Record<string, string | Uint8Array>, folder = 'shop'): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'mfile-config-')), folder);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export async function load(yaml: string | Uint8Array, opts: Partial<LoadOptions> = {}, files: Record<string, string> = {}): Promise<Desired> {
  const dir = project({ 'machines.yml': yaml, ...files });
  return loadConfig({ env: {}, ...opts, file: join(dir, 'machines.yml') }, builtinCatalog());
}

/** The `FILE:LINE:COL: message` lines a user would see, with the folder cut off. */
export async function issues(yaml: string | Uint8Array, opts: Partial<LoadOptions> = {}, files: Record<string, string> = {}): Promise<string[]> {
  const dir = project({ 'machines.yml': yaml, ...files });
  try {
    await loadConfig({ env: {}, ...opts, file: join(dir, 'machines.yml') }, builtinCatalog());
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n').map((l) => l.replace(dir + '/', ''));
    throw err;
  }
  return [];
}

/** A valid head: one generic machine. Tests append containers etc. */
export const HEAD = `version: 1
machines:
  m1:
    driver: local
`;
