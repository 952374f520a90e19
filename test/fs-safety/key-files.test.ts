// Keys and certificates never go through a planted symlink and never into a folder mfile does not own: a symlink
// at a key's name is replaced by a regular 0600 file (its target untouched), and a .mfile, certs/ or machine
// folder that is a symlink, someone else's, or writable by others is refused with one line naming it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareMachineDir } from '../../src/drivers/sandbox/files.js';
import { ensureCa, ensureServerCert, serverSans } from '../../src/remote/tls/store.js';
import { StateStore } from '../../src/state/index.js';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function project(): { dir: string; state: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfile-keys-'));
  made.push(dir);
  return { dir, state: path.join(dir, '.mfile') };
}

/** A file someone wants mfile to overwrite: content and mode must stay as they are. */
function victim(dir: string, name: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, 'not yours\n', { mode: 0o644 });
  return f;
}

function expectUntouched(f: string): void {
  expect(fs.readFileSync(f, 'utf8')).toBe('not yours\n');
  expect(fs.statSync(f).mode & 0o777).toBe(0o644);
}

function expectPrivateRegular(f: string): void {
  const st = fs.lstatSync(f);
  expect(st.isFile(), `${f} is a regular file`).toBe(true);
  expect(st.mode & 0o777).toBe(0o600);
}

const SANS = serverSans('web-1', ['10.213.0.5'], []);

describe('a symlink planted at a key file', () => {
  it('at certs/ca-key.pem: the CA key lands in a new 0600 file, the target keeps its content', async () => {
    const p = project();
    const target = victim(p.dir, 'target');
    fs.mkdirSync(path.join(p.state, 'certs'), { recursive: true, mode: 0o700 });
    fs.symlinkSync(target, path.join(p.state, 'certs', 'ca-key.pem'));
    fs.symlinkSync(victim(p.dir, 'target-client'), path.join(p.state, 'certs', 'key.pem'));
    const ca = await ensureCa(p.state);
    expectUntouched(target);
    expectUntouched(path.join(p.dir, 'target-client'));
    expectPrivateRegular(path.join(p.state, 'certs', 'ca-key.pem'));
    expectPrivateRegular(path.join(p.state, 'certs', 'key.pem'));
    expect(fs.readFileSync(path.join(p.state, 'certs', 'ca-key.pem'), 'utf8')).toBe(ca.keyPem);
  });

  it("at a machine's server-key.pem: the same", async () => {
    const p = project();
    const target = victim(p.dir, 'target');
    fs.mkdirSync(path.join(p.state, 'machines', 'web-1'), { recursive: true, mode: 0o700 });
    fs.symlinkSync(target, path.join(p.state, 'machines', 'web-1', 'server-key.pem'));
    const files = await ensureServerCert(p.state, 'web-1', SANS);
    expectUntouched(target);
    expectPrivateRegular(path.join(p.state, 'machines', 'web-1', 'server-key.pem'));
    expect(fs.readFileSync(path.join(p.state, 'machines', 'web-1', 'server-key.pem'), 'utf8')).toBe(files.key);
  });

  it("at a sandbox machine's id_ed25519, host key, authorized_keys and sshd_config: the same", async () => {
    const p = project();
    const dir = path.join(p.state, 'machines', 'web-1');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const names = ['id_ed25519', 'ssh_host_ed25519_key', 'authorized_keys', 'sshd_config'];
    for (const n of names) fs.symlinkSync(victim(p.dir, `target-${n}`), path.join(dir, n));
    await prepareMachineDir('web-1', dir, '10.213.0.5');
    for (const n of names) {
      expectUntouched(path.join(p.dir, `target-${n}`));
      expectPrivateRegular(path.join(dir, n));
    }
    expect(fs.readFileSync(path.join(dir, 'id_ed25519'), 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]); // no temp files left
  });
});

type Unsafe = { name: string; make: (p: { dir: string; state: string }) => string };

// Each returns the folder that must be named in the refusal.

/** A folder of .mfile (certs/, machines/) planted as a symlink to another folder; returns its path. */
function symlinkedStateFolder(p: { dir: string; state: string }, sub: string): string {
  fs.mkdirSync(path.join(p.dir, 'elsewhere'), { mode: 0o700 });
  fs.mkdirSync(p.state, { mode: 0o700 });
  fs.symlinkSync(path.join(p.dir, 'elsewhere'), path.join(p.state, sub));
  return path.join(p.state, sub);
}

const unsafeFolders: Unsafe[] = [
  {
    name: '.mfile is a symlink',
    make: (p) => {
      fs.mkdirSync(path.join(p.dir, 'elsewhere'), { mode: 0o700 });
      fs.symlinkSync(path.join(p.dir, 'elsewhere'), p.state);
      return p.state;
    },
  },
  { name: 'certs/ is a symlink', make: (p) => symlinkedStateFolder(p, 'certs') },
  {
    name: '.mfile is owned by another user',
    make: (p) => {
      fs.mkdirSync(p.state, { mode: 0o700 });
      fs.chownSync(p.state, 65534, 65534);
      return p.state;
    },
  },
  {
    name: 'certs/ is owned by another user',
    make: (p) => {
      fs.mkdirSync(path.join(p.state, 'certs'), { recursive: true, mode: 0o700 });
      fs.chownSync(path.join(p.state, 'certs'), 65534, 65534);
      return path.join(p.state, 'certs');
    },
  },
  {
    name: 'certs/ is writable by its group',
    make: (p) => {
      fs.mkdirSync(path.join(p.state, 'certs'), { recursive: true });
      fs.chmodSync(path.join(p.state, 'certs'), 0o770);
      return path.join(p.state, 'certs');
    },
  },
];

const unsafeMachineFolders: Unsafe[] = [
  {
    name: 'machines/NAME is a symlink',
    make: (p) => {
      fs.mkdirSync(path.join(p.dir, 'elsewhere'), { mode: 0o700 });
      fs.mkdirSync(path.join(p.state, 'machines'), { recursive: true, mode: 0o700 });
      fs.symlinkSync(path.join(p.dir, 'elsewhere'), path.join(p.state, 'machines', 'web-1'));
      return path.join(p.state, 'machines', 'web-1');
    },
  },
  {
    name: 'machines/NAME is owned by another user',
    make: (p) => {
      fs.mkdirSync(path.join(p.state, 'machines', 'web-1'), { recursive: true, mode: 0o700 });
      fs.chownSync(path.join(p.state, 'machines', 'web-1'), 65534, 65534);
      return path.join(p.state, 'machines', 'web-1');
    },
  },
  { name: 'machines/ is a symlink', make: (p) => symlinkedStateFolder(p, 'machines') },
];

const asRoot = process.getuid?.() === 0; // chown to another uid needs root

function expectRefusal(err: unknown, folder: string): void {
  const msg = (err as Error).message;
  expect(msg).toContain(folder);
  expect(msg).toMatch(/symbolic link|owned by uid 65534|writable by group or others/);
  expect(msg.split('\n')).toHaveLength(1);
}

/** Nothing was written outside: the symlink's target and the state folder's files are as the test made them. */
function expectNothingWritten(p: { dir: string }): void {
  const elsewhere = path.join(p.dir, 'elsewhere');
  if (fs.existsSync(elsewhere)) expect(fs.readdirSync(elsewhere)).toEqual([]);
}

describe('an unsafe key folder is refused', () => {
  for (const c of [...unsafeFolders, ...unsafeMachineFolders]) {
    it.skipIf(!asRoot && c.name.includes('owned'))(`${c.name}: no certificate is written`, async () => {
      const p = project();
      const folder = c.make(p);
      const err = await ensureServerCert(p.state, 'web-1', SANS).then(() => null, (e: unknown) => e);
      expect(err, 'refused').not.toBeNull();
      expectRefusal(err, folder);
      expectNothingWritten(p);
    });
  }

  for (const c of unsafeMachineFolders) {
    it.skipIf(!asRoot && c.name.includes('owned'))(`${c.name}: the sandbox writes no SSH key`, async () => {
      const p = project();
      const folder = c.make(p);
      const dir = path.join(p.state, 'machines', 'web-1');
      const err = await prepareMachineDir('web-1', dir, '10.213.0.5').then(() => null, (e: unknown) => e);
      expect(err, 'refused').not.toBeNull();
      expectRefusal(err, folder);
      expectNothingWritten(p);
    });
  }

  for (const c of unsafeFolders.filter((u) => u.name.startsWith('.mfile'))) {
    it.skipIf(!asRoot && c.name.includes('owned'))(`${c.name}: the state lock is not taken`, async () => {
      const p = project();
      const folder = c.make(p);
      const store = new StateStore(path.join(p.state, 'state.json'));
      const err = await store.lock('apply').then(() => null, (e: unknown) => e);
      expect(err, 'refused').not.toBeNull();
      expectRefusal(err, folder);
      expectNothingWritten(p);
    });
  }
});
