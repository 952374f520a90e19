import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { warnIfNotIgnored } from '../../src/state/index.js';
import { tmpDir } from './helpers/tmp.js';

function gitRepo(): string {
  const dir = tmpDir();
  execFileSync('git', ['init', '-q', dir]);
  return dir;
}

describe('warnIfNotIgnored', () => {
  it('warns when .mfile inside a work tree is not ignored, even before it exists', async () => {
    const repo = gitRepo();
    const warning = await warnIfNotIgnored(path.join(repo, 'infra', '.mfile'));
    expect(warning).toContain(`${path.join(repo, 'infra', '.mfile')} is not ignored by git`);
    expect(warning).toContain('add ".mfile/" to .gitignore');
  });

  it('is quiet when .gitignore covers it', async () => {
    const repo = gitRepo();
    fs.writeFileSync(path.join(repo, '.gitignore'), '.mfile/\n');
    expect(await warnIfNotIgnored(path.join(repo, '.mfile'))).toBeNull();
    fs.mkdirSync(path.join(repo, '.mfile'));
    expect(await warnIfNotIgnored(path.join(repo, '.mfile'))).toBeNull();
  });

  it('is quiet outside a git work tree', async () => {
    expect(await warnIfNotIgnored(path.join(tmpDir(), '.mfile'))).toBeNull();
  });
});
