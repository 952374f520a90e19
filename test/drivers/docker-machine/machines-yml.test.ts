// `driver: docker-machine:NAME` in machines.yml, through the built CLI: the binary is found on PATH and asked for
// its create flags, which check the machine's `docker-machine:` block with positions and did-you-mean; a missing
// binary is named at the machine's driver key; a credential flag must be a sensitive value. Docker Machine
// 0.16.2's own generic and digitalocean drivers (docker-machine linked as docker-machine-driver-NAME) answer.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DOCKER_MACHINE_SOURCE, GO, dockerMachineBinary } from '../../helpers/docker-machine/binaries.js';
import { ensureBuilt, mfile, REPO_ROOT } from '../../helpers/cli.js';
import { describeNeeding } from '../../helpers/prerequisites.js';

let dir = '';
const env = (): NodeJS.ProcessEnv => ({ PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` });
const validate = (yaml: string, extra: NodeJS.ProcessEnv = {}): { code: number | null; out: string } => {
  writeFileSync(join(dir, 'machines.yml'), yaml);
  const r = mfile(['validate', '-f', 'machines.yml'], { cwd: dir, env: { ...env(), ...extra } });
  return { code: r.code, out: r.stdout + r.stderr };
};

beforeAll(() => {
  if (!GO.present() || !DOCKER_MACHINE_SOURCE.present()) return;
  ensureBuilt();
  mkdirSync(join(REPO_ROOT, '.test-work'), { recursive: true, mode: 0o700 });
  dir = mkdtempSync(join(REPO_ROOT, '.test-work', 'dm-yml-'));
  mkdirSync(join(dir, 'bin'));
  for (const d of ['generic', 'digitalocean']) symlinkSync(dockerMachineBinary(), join(dir, 'bin', `docker-machine-driver-${d}`));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const HEAD = 'version: 1\nproject: dmyml\nvariables:\n  token: { sensitive: true }\nmachines:\n';

describeNeeding([GO, DOCKER_MACHINE_SOURCE])('docker-machine:NAME drivers in machines.yml', () => {
  it("accepts the generic driver's flags by their names", () => {
    const r = validate(`${HEAD}  g:\n    driver: docker-machine:generic\n    docker-machine:\n      generic-ip-address: 10.213.190.9\n      generic-ssh-port: 22\n`);
    expect(r.out.trim()).toBe('machines.yml: valid (1 machines, 0 containers)');
    expect(r.code).toBe(0);
  });

  it('reports an unknown flag and a wrong type at their positions, with the flag meant', () => {
    const r = validate(
      `${HEAD}  g:\n    driver: docker-machine:generic\n    docker-machine:\n      ip-address: 10.213.190.9\n      generic-ssh-port: twenty-two\n      generic-ssh-usr: root\n`,
    );
    expect(r.out.trim().split('\n')).toEqual([
      "machines.yml:9:7: unknown key 'ip-address' in machines.g.docker-machine (did you mean 'generic-ip-address'?)",
      'machines.yml:10:25: machines.g.docker-machine.generic-ssh-port: must be an integer',
      "machines.yml:11:7: unknown key 'generic-ssh-usr' in machines.g.docker-machine (did you mean 'generic-ssh-user'?)",
    ]);
    expect(r.code).toBe(1);
  });

  it("checks each machine's block against its own driver's flags when two Docker Machine drivers are used", () => {
    const r = validate(
      `${HEAD}  g:\n    driver: docker-machine:generic\n    docker-machine: { generic-ip-address: 10.213.190.9 }\n  d:\n    driver: docker-machine:digitalocean\n    docker-machine: { generic-ip-address: 10.213.190.9, digitalocean-size: s-1vcpu-1gb, digitalocean-access-token: "\${token}" }\n`,
      { MFILE_VAR_token: 'dop_v1_not_a_real_token' },
    );
    expect(r.out.trim()).toBe("machines.yml:11:23: unknown key 'generic-ip-address' in machines.d.docker-machine");
    expect(r.code).toBe(1);
  });

  it('names the missing binary at the machine whose driver it is', () => {
    const r = validate(`${HEAD}  g:\n    driver: docker-machine:genric\n`);
    expect(r.out.trim()).toBe("machines.yml:7:13: machines.g.driver: driver 'docker-machine:genric': no docker-machine-driver-genric on PATH");
    expect(r.code).toBe(1);
  });

  it('refuses a sensitive value in a flag that makes the SSH endpoint, which the state keeps', () => {
    const r = validate(`${HEAD}  g:\n    driver: docker-machine:generic\n    docker-machine:\n      generic-ip-address: "\${token}"\n`, { MFILE_VAR_token: '10.213.190.9' });
    expect(r.out.trim()).toBe(
      "machines.yml:9:27: machines.g.docker-machine.generic-ip-address: a sensitive value cannot be used here: the machine's address is kept in .mfile/state.json (use a variable without sensitive: true)",
    );
    expect(r.code).toBe(1);
  });

  it('refuses a credential written in the file, and takes it from a sensitive variable without showing it', () => {
    const literal = validate(`${HEAD}  d:\n    driver: docker-machine:digitalocean\n    docker-machine:\n      digitalocean-access-token: dop_v1_written_down\n`);
    expect(literal.out.trim()).toMatch(/^machines\.yml:9:34: machines\.d\.docker-machine\.digitalocean-access-token: a credential: give it as a sensitive variable/);
    expect(literal.out).not.toContain('dop_v1_written_down');
    expect(literal.code).toBe(1);
    const yaml = `${HEAD}  d:\n    driver: docker-machine:digitalocean\n    docker-machine:\n      digitalocean-access-token: "\${token}"\n`;
    const ok = validate(yaml, { MFILE_VAR_token: 'dop_v1_not_a_real_token' });
    expect(ok.code, ok.out).toBe(0);
    writeFileSync(join(dir, 'machines.yml'), yaml);
    const plan = mfile(['plan', '-f', 'machines.yml', '--refresh=false', '--json'], { cwd: dir, env: { ...env(), MFILE_VAR_token: 'dop_v1_not_a_real_token' } });
    expect(plan.stdout + plan.stderr).not.toContain('dop_v1_not_a_real_token');
  });
});
