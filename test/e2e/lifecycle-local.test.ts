// The power verbs refuse a local engine (and a none one): mfile did not create it and cannot power it. One line
// naming the machine and the reason, exit 1, and the state gets no hold.
import { existsSync } from 'node:fs';
import { beforeAll, expect, it, describe } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt } from '../helpers/cli.js';

describe('mfile start/stop/restart/kill on local and none machines', () => {
  let p: CliProject;
  beforeAll(() => {
    ensureBuilt();
    p = cliProject('lclocal');
    p.write('version: 1\nproject: lclocal\nmachines:\n  here: { driver: local }\n  there: { driver: none, none: { url: "tcp://127.0.0.1:1" } }\n');
  });

  for (const verb of ['start', 'stop', 'restart', 'kill']) {
    it(`${verb} refuses a local machine with one line and exit 1`, () => {
      const r = p.run([verb, 'here']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([
        'Error: here: driver local cannot start, stop, restart or kill its engine: mfile did not create it; do that where Docker runs',
      ]);
      expect(existsSync(p.stateFile) ? p.state().machines.here?.hold : undefined).toBeUndefined();
    });
  }

  it('both refusals are named when several machines are given', () => {
    const r = p.run(['stop', 'here', 'there']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Error: here: driver local cannot/);
    expect(lines[1]).toMatch(/^Error: there: driver none cannot/);
  });

  it('ip refuses a unix-socket engine; url prints it', () => {
    const ip = p.run(['ip', 'here']);
    expect(ip.code).toBe(1);
    expect(ip.stderr).toMatch(/^Error: here: driver local has no IP address: its engine is unix:\/\//);
    expect(p.run(['url', 'there']).stdout.trim()).toBe('tcp://127.0.0.1:1');
    expect(p.run(['ip', 'there']).stdout.trim()).toBe('127.0.0.1');
  });
});
