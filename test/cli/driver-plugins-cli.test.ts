// Driver plugins at the CLI edge (built CLI): plugins are looked up only for drivers that are not built in, so
// `validate` of an ordinary machines.yml runs no plugin; `mfile schema` shows plugin blocks for editors.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { pluginDir, writePlugin } from '../drivers/plugin/fault-plugins.js';

describe('driver plugins in the CLI', () => {
  beforeAll(() => ensureBuilt());

  it('validate of a machines.yml with only built-in drivers runs no plugin on PATH', () => {
    const dir = pluginDir();
    const marker = join(dir, 'ran');
    // A plugin that leaves a mark whenever it is started.
    writeFileSync(join(dir, 'mfile-driver-spy'), `#!/bin/sh\ntouch ${marker}\nexit 1\n`, { mode: 0o755 });
    const project = mkdtempSync(join(tmpdir(), 'mfile-validate-'));
    writeFileSync(join(project, 'machines.yml'), 'version: 1\nmachines:\n  m1: { driver: local }\n');
    const r = mfile(['validate', '-f', 'machines.yml'], { cwd: project, env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("mfile schema adds each plugin's name to the driver list and its block to the machine", () => {
    const dir = pluginDir();
    writePlugin(dir, 'x', `reply({})`);
    const r = mfile(['schema'], { env: { PATH: `${dir}:${process.env.PATH}` } });
    expect(r.code, r.stderr).toBe(0);
    const machine = JSON.parse(r.stdout).$defs.machine;
    expect(machine.properties.driver.enum).toEqual(['local', 'none', 'sandbox', 'generic', 'qemu', 'hetzner', 'digitalocean', 'amazonec2', 'x']);
    expect(machine.properties.x).toMatchObject({ type: 'object', additionalProperties: false, properties: { size: { type: 'integer' } } });
  });

  it("a plugin named in the drivers: map is used, and its block is checked against the plugin's schema with the position", () => {
    const project = mkdtempSync(join(tmpdir(), 'mfile-plugin-map-'));
    writePlugin(project, 'x', `reply({})`);
    writeFileSync(join(project, 'machines.yml'), 'version: 1\ndrivers:\n  x: ./mfile-driver-x\nmachines:\n  m1:\n    driver: x\n    x: { size: big }\n');
    const r = mfile(['validate', '-f', 'machines.yml'], { cwd: project });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('machines.yml:7:16: machines.m1.x.size: must be an integer');
    writeFileSync(join(project, 'machines.yml'), 'version: 1\ndrivers:\n  x: ./mfile-driver-x\nmachines:\n  m1:\n    driver: x\n    x: { size: 2 }\n');
    const ok = mfile(['validate', '-f', 'machines.yml'], { cwd: project });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('a plugin that breaks at describe stops the run with one line naming the machine, the plugin and the operation', () => {
    const project = mkdtempSync(join(tmpdir(), 'mfile-plugin-broken-'));
    writeFileSync(join(project, 'mfile-driver-x'), '#!/bin/sh\necho not json\n', { mode: 0o755 });
    writeFileSync(join(project, 'machines.yml'), 'version: 1\ndrivers: { x: ./mfile-driver-x }\nmachines:\n  m1: { driver: x }\n');
    const r = mfile(['validate', '-f', 'machines.yml'], { cwd: project });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error: m1: driver plugin mfile-driver-x: handshake: wrote a line that is not JSON-RPC: "not json"');
  });
});
