// Terraform's verbs on a local-driver project, through the built CLI and the real dockerd: state list/show/rm/mv,
// show PLANFILE, -replace, -refresh-only and graph, each checked by what a user sees: exit code, text, the state
// afterwards and the next plan.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProject, type CliProject } from '../helpers/cli-project.js';
import { ensureBuilt } from '../helpers/cli.js';
import { cleanupProject, ensureTestImages, labelled } from '../helpers/image.js';

const project = `tfverbs${process.pid % 10000}`;
const SECRET = 'hunter2-tfverbs-secret';
const idOf = (name: string): string => execFileSync('docker', ['inspect', '-f', '{{.Id}}', name], { encoding: 'utf8' }).trim();

function yaml(web = 'web', command = '["sleep", "600"]'): string {
  return `version: 1
project: ${project}
variables:
  token: { default: ${SECRET}, sensitive: true }
machines:
  m1: { driver: local }
containers:
  ${web}:
    machine: m1
    image: mfile-test/busybox:1
    command: ${command}
    network_mode: none
    init: true
    stop_grace_period: 1s
    environment: { TOKEN: "\${token}" }
  db:
    machine: m1
    image: mfile-test/busybox:1
    command: ["sleep", "600"]
    network_mode: none
    init: true
    stop_grace_period: 1s
`;
}

describe('Terraform verbs on a local project', () => {
  let p: CliProject;
  beforeAll(() => {
    ensureBuilt();
    ensureTestImages();
    cleanupProject(project);
    p = cliProject('tfverbs');
    p.write(yaml());
    const r = p.run(['apply', '-y']);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);
  afterAll(() => cleanupProject(project));

  it('state list prints the recorded addresses sorted, and only those matching a glob', () => {
    const all = p.run(['state', 'list']);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual(['container.db[m1]', 'container.web[m1]', 'machine.m1']);
    expect(p.run(['state', 'list', 'container.*']).stdout.trim().split('\n')).toEqual(['container.db[m1]', 'container.web[m1]']);
  });

  it('state show prints one record with its sensitive value masked; an unknown address names the near one', () => {
    const r = p.run(['state', 'show', 'container.web[m1]']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# container.web[m1]:');
    expect(r.stdout).toContain(`id         = "${idOf(`${project}-web`)}"`);
    expect(r.stdout).toMatch(/TOKEN = "\(sensitive\)"/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    const bad = p.run(['state', 'show', 'container.wbe[m1]']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('Error: container.wbe[m1] is not in the state (did you mean container.db[m1], container.web[m1]?); see mfile state list');
  });

  it('show PLANFILE prints the saved plan as plan text and JSON without touching the state', () => {
    p.write(yaml('web', '["sleep", "700"]'));
    const planned = p.run(['plan', '--out', 'change.plan']);
    expect(planned.code).toBe(0);
    const stateBefore = readFileSync(p.stateFile, 'utf8');
    const mtime = statSync(p.stateFile).mtimeMs;
    const shown = p.run(['show', 'change.plan']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(planned.stdout.replace(/\nSaved the plan to change\.plan\..*\n$/, ''));
    expect(shown.stdout).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');
    const json = JSON.parse(p.run(['show', 'change.plan', '--json']).stdout);
    expect(json.nodes.find((n: { address: string }) => n.address === 'container.web[m1]').action).toBe('replace');
    expect(readFileSync(p.stateFile, 'utf8')).toBe(stateBefore);
    expect(statSync(p.stateFile).mtimeMs).toBe(mtime);
    expect(p.run(['show', 'missing.plan']).code).toBe(1);
    p.write(yaml());
  });

  it('-replace=ADDR replaces an unchanged container with the reason; an unknown address is an error naming near ones', () => {
    const before = idOf(`${project}-web`);
    const plan = p.run(['plan', '-replace=container.web[m1]', '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('  # container.web[m1] must be replaced\n  # (replace requested with -replace)\n');
    expect(plan.stdout).toContain('\n-/+ container.web[m1]\n');
    expect(plan.stdout).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');
    const bad = p.run(['plan', '--replace', 'container.wbe[m1]']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('Error: --replace container.wbe[m1]: no such object in the plan; did you mean container.db[m1], container.web[m1]?');
    const serial = p.state().serial;
    const apply = p.run(['apply', '-y', '--replace', 'container.web[m1]']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 1 destroyed.');
    expect(idOf(`${project}-web`)).not.toBe(before);
    expect(p.state().serial).toBeGreaterThan(serial);
    expect(p.run(['plan']).stdout).toContain('No changes.');
  });

  it('graph prints the DAG as DOT, the same each time', () => {
    const r = p.run(['graph']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('digraph mfile {\n')).toBe(true);
    expect(r.stdout).toContain('  "container.web[m1]" [label = "container.web[m1]\\nnoop"];');
    expect(r.stdout).toContain('  "container.web[m1]" -> "machine.m1";');
    expect(r.stdout).toContain('  "container.web[m1]" -> "image.mfile-test/busybox:1[m1]";');
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
    expect(p.run(['graph']).stdout).toBe(r.stdout);
  });

  it('state rm forgets a record without destroying it; the next plan adopts it by its labels; apply --refresh-only records it again', () => {
    const id = idOf(`${project}-db`);
    const serial = p.state().serial;
    const r = p.run(['state', 'rm', 'container.db[m1]']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Removed container.db[m1]\nSuccessfully removed 1 record from the state');
    expect(r.stdout).toContain('the next plan finds them by their labels and keeps them ("adopted"), with no change');
    expect(p.state().objects['container.db[m1]']).toBeUndefined();
    expect(p.state().serial).toBe(serial + 1);
    expect(idOf(`${project}-db`)).toBe(id);
    const plan = p.run(['plan']);
    expect(plan.stdout).toContain('Found 1 object by its labels that the state does not record: kept, not recreated.');
    expect(plan.stdout).toContain('No changes.');
    const refresh = p.run(['plan', '-refresh-only', '--detailed-exitcode']);
    expect(refresh.code).toBe(2);
    expect(refresh.stdout).toContain('  # container.db[m1] is not in the state');
    expect(refresh.stdout).toContain('Refresh-only: 1 to record, 0 to update, 0 to forget in the state.');
    const apply = p.run(['apply', '--refresh-only', '-y']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('1 recorded, 0 updated, 0 forgotten; no machine was changed.');
    expect(p.state().objects['container.db[m1]']?.id).toBe(id);
    expect(p.run(['plan', '--refresh-only', '--detailed-exitcode']).code).toBe(0);
  });

  it('apply --refresh-only forgets a container deleted outside mfile and changes no machine', () => {
    const web = idOf(`${project}-web`);
    execFileSync('docker', ['rm', '-f', `${project}-db`], { stdio: 'ignore' });
    const plan = p.run(['plan', '--refresh-only']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('  # container.db[m1] has been deleted\n  # (not on the machine (deleted outside mfile))\n  - container.db[m1]');
    const apply = p.run(['apply', '--refresh-only', '-y']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(p.state().objects['container.db[m1]']).toBeUndefined();
    expect(labelled(project).containers).toEqual([`${project}-web`]);
    expect(idOf(`${project}-web`)).toBe(web);
    // The normal plan then creates it, as it would after any deletion.
    expect(p.run(['plan']).stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(p.run(['apply', '-y']).code).toBe(0);
  });

  it('state mv renames a container record after a rename in machines.yml: the next plan is a no-op, not a replace', () => {
    const id = idOf(`${project}-web`);
    p.write(yaml('app'));
    expect(p.run(['plan']).stdout).toContain('Plan: 1 to add, 0 to change, 1 to destroy.');
    const mv = p.run(['state', 'mv', 'container.web[m1]', 'container.app[m1]']);
    expect(mv.code, mv.stderr).toBe(0);
    expect(mv.stdout).toContain('Successfully moved container.web[m1] to container.app[m1]');
    expect(p.state().objects['container.app[m1]']?.id).toBe(id);
    expect(p.state().objects['container.web[m1]']).toBeUndefined();
    const plan = p.run(['plan', '--detailed-exitcode']);
    expect(plan.code, plan.stdout).toBe(0);
    expect(plan.stdout).toContain('No changes.');
    const saved = readFileSync(p.stateFile, 'utf8');
    const kind = p.run(['state', 'mv', 'container.app[m1]', 'network.app[m1]']);
    expect(kind.code).toBe(1);
    expect(kind.stderr.trim()).toBe('Error: cannot move container.app[m1] to network.app[m1]: a container cannot become a network');
    const taken = p.run(['state', 'mv', 'container.app[m1]', 'container.db[m1]']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('container.db[m1] is already in the state');
    expect(readFileSync(p.stateFile, 'utf8')).toBe(saved);
    expect(path.basename(p.stateFile)).toBe('state.json');
  });
});
