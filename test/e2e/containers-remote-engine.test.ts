// pull_policy on an engine other than the local one: missing -> copied from the local engine with save | load
// (same image ID, no registry); never -> a clear error when absent.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { ensureTestImages, TEST_IMAGE, TEST_IMAGE_2 } from '../helpers/image.js';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.js';

let engine: SecondEngine;
const dir = mkdtempSync(path.join(tmpdir(), 'mfile-e2e-far-'));
const file = path.join(dir, 'machines.yml');
const project = `mff${process.pid}`;
const far = (args: string[]): string => execFileSync('docker', ['-H', `unix://${engine.socket}`, ...args], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  ensureTestImages();
  ensureBuilt();
  engine = await startSecondEngine();
}, 180_000);

afterAll(async () => {
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const config = (policy: string, image: string): string => `version: 1
project: ${project}
machines:
  far: { driver: none, none: { url: "unix://${'${SOCK}'}" } }
containers:
  app:
    machine: far
    image: ${image}
    pull_policy: ${policy}
    command: ["sleep", "600"]
    network_mode: none
    init: true
`;

describe('images on another engine', () => {
  it('copies a missing image from the local engine, keeping its ID', () => {
    writeFileSync(file, config('missing', TEST_IMAGE).replace('${SOCK}', engine.socket));
    const r = mfile(['apply', '-f', file, '-y']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('copied from the local engine');
    const localId = execFileSync('docker', ['image', 'inspect', '-f', '{{.Id}}', TEST_IMAGE], { encoding: 'utf8' }).trim();
    expect(far(['image', 'inspect', '-f', '{{.Id}}', TEST_IMAGE])).toBe(localId);
    expect(far(['inspect', '-f', '{{.State.Running}}', `${project}-app`])).toBe('true');
  }, 120_000);

  it('fails clearly with pull_policy never when the machine lacks the image', () => {
    writeFileSync(file, config('never', TEST_IMAGE_2).replace('${SOCK}', engine.socket));
    const r = mfile(['apply', '-f', file, '-y']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`image ${TEST_IMAGE_2} is not on machine far and pull_policy is never`);
    // the running container was not touched
    expect(far(['inspect', '-f', '{{.Config.Image}}', `${project}-app`])).toBe(TEST_IMAGE);
  }, 120_000);

  it('destroy removes the container from the other engine', () => {
    writeFileSync(file, config('missing', TEST_IMAGE).replace('${SOCK}', engine.socket));
    expect(mfile(['destroy', '-f', file, '-y']).code).toBe(0);
    expect(far(['ps', '-aq', '--filter', `label=io.mfile.project=${project}`])).toBe('');
  }, 120_000);
});
