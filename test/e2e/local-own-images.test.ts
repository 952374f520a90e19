// An image that was already on the engine belongs to whoever put it there: mfile uses it, records nothing, and a
// destroy leaves it. (Seen: `apply --refresh=false` then `destroy` on the local engine removed the user's image.)
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt } from '../helpers/cli.js';

const OWN = `mfile-test/own-image:${process.pid}`;
const docker = (args: string[]): ReturnType<typeof spawnSync> => spawnSync('docker', args, { encoding: 'utf8' });

describe("the user's own images on the local engine", () => {
  let p: CliProject;
  beforeAll(() => {
    ensureBuilt();
    expect(docker(['tag', 'mfile-demo/busybox:1', OWN]).status).toBe(0);
    p = cliProject('ownimg');
    p.write(`version: 1\nproject: ownimg${process.pid}\nmachines:\n  here: { driver: local }\ncontainers:\n  idle:\n    image: ${OWN}\n    command: ["sleep", "600"]\n    machines: [here]\n`);
  });
  afterAll(() => {
    p?.run(['destroy', '-y']);
    docker(['rmi', OWN]);
  });

  for (const refresh of ['--refresh=false', '--refresh=true']) {
    it(`apply ${refresh} then destroy leaves an image that was there before`, () => {
      const apply = p.run(['apply', '-y', refresh]);
      expect(apply.code, apply.stderr).toBe(0);
      expect(Object.keys(p.state().objects).filter((a) => a.startsWith('image.'))).toEqual([]);
      const destroy = p.run(['destroy', '-y']);
      expect(destroy.code).toBe(0);
      expect(docker(['image', 'inspect', OWN]).status).toBe(0);
    });
  }
});
