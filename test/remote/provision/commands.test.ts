import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CURL, describeNeeding } from '../../helpers/prerequisites.js';
import {
  ALIVE_SHELL_FUNCTION,
  aptInstallCommands,
  installScriptCommands,
  removeEngineConfigCommand,
  supervisedRestartCommand,
  systemdDropinContent,
} from '../../../src/remote/provision/commands.js';
import { daemonJson } from '../../../src/remote/provision/daemon-json.js';
import { parseFacts } from '../../../src/remote/provision/facts.js';
import { installCommands } from '../../../src/remote/provision/install-docker.js';
import { installMethod, parseOsRelease } from '../../../src/remote/provision/os-release.js';
import { quoteArgv } from '../../../src/remote/ssh/shell-quote.js';
import { sandboxSpec } from '../../helpers/sandbox.js';

describe('provisioning commands', () => {
  it('are exact command lines', () => {
    expect(aptInstallCommands().map(quoteArgv)).toEqual([
      'env DEBIAN_FRONTEND=noninteractive apt-get update -q',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker.io apparmor',
    ]);
    expect(quoteArgv(removeEngineConfigCommand())).toBe(
      'rm -rf /etc/docker/mfile /etc/docker/daemon.json /etc/systemd/system/docker.service.d/mfile.conf',
    );
    expect(systemdDropinContent('/usr/sbin/dockerd')).toBe('[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd\n');
  });

  it('pass values as positional parameters, never inside the script', () => {
    const url = 'https://get.example/x.sh?a=1&b=$(touch /tmp/pwned)';
    const [argv] = installScriptCommands(url);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).not.toContain('example');
    expect(argv.slice(3)).toEqual(['sh', url]);
    const restart = supervisedRestartCommand("/opt/o'dd path/dockerd");
    expect(restart.at(-1)).toBe("/opt/o'dd path/dockerd");
    expect(quoteArgv(restart)).toContain(`'/opt/o'\\''dd path/dockerd'`);
  });

  describeNeeding([CURL])('with curl', () => {
    it('the install-script command runs the downloaded script with the URL literal', () => {
      // curl fetches file:// URLs, so a local file stands in for the download. Its name would run commands
      // (creating inj1 and inj2) if the URL reached a shell as code rather than as one argument.
      const dir = mkdtempSync(join(tmpdir(), 'mfile-install-script-'));
      try {
        const script = join(dir, 'get;>inj1;$(>inj2);.sh');
        writeFileSync(script, 'echo "installer ran" > "$MARK"\n');
        const [argv] = installScriptCommands(`file://${script}`);
        execFileSync('sh', ['-c', quoteArgv(argv)], { cwd: dir, env: { ...process.env, MARK: join(dir, 'mark') }, stdio: 'pipe' });
        expect(readFileSync(join(dir, 'mark'), 'utf8')).toBe('installer ran\n');
        expect(readdirSync(dir).sort()).toEqual(['get;>inj1;$(>inj2);.sh', 'mark']);
        // A URL that cannot be fetched fails the command and runs nothing.
        const [missing] = installScriptCommands(`file://${dir}/missing;>inj3`);
        expect(() => execFileSync('sh', ['-c', quoteArgv(missing)], { cwd: dir, stdio: 'pipe' })).toThrow();
        expect(readdirSync(dir).sort()).toEqual(['get;>inj1;$(>inj2);.sh', 'mark']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('the remote alive check', () => {
  const alive = (pid: number): string =>
    execFileSync('sh', ['-c', `${ALIVE_SHELL_FUNCTION}\nif alive "$1"; then echo yes; else echo no; fi`, 'sh', String(pid)], {
      encoding: 'utf8',
    }).trim();

  it('sees a running process, and neither a dead one nor a zombie that PID 1 has not reaped yet', async () => {
    // perl forks a child that exits at once and never reaps it: a real zombie (a shell may reap it before exec).
    const parent = spawn('perl', ['-e', '$| = 1; my $p = fork(); if ($p == 0) { exit 0 } print "$p\\n"; sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString()))));
    try {
      for (let i = 0; i < 50 && !execFileSync('cat', [`/proc/${zombie}/stat`], { encoding: 'utf8' }).includes(') Z'); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(execFileSync('cat', [`/proc/${zombie}/stat`], { encoding: 'utf8' })).toContain(') Z');
      expect(alive(parent.pid!)).toBe('yes');
      expect(alive(zombie)).toBe('no');
    } finally {
      parent.kill('SIGKILL');
    }
    await new Promise((r) => parent.once('exit', r));
    expect(alive(parent.pid!)).toBe('no');
  });
});

describe('OS detection', () => {
  const os = (t: string) => parseOsRelease(t);
  it('chooses the package tool or refuses by name', () => {
    expect(installMethod(os('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"'), false)).toBe('apt');
    expect(installMethod(os('ID=ubuntu\nID_LIKE=debian'), false)).toBe('apt');
    expect(installMethod(os('ID=linuxmint\nID_LIKE="ubuntu debian"'), false)).toBe('apt');
    expect(installMethod(os('ID=fedora'), false)).toBe('fedora');
    expect(installMethod(os('ID="rocky"\nID_LIKE="rhel centos fedora"'), false)).toBe('rhel');
    expect(installMethod(os('ID=amzn'), false)).toBe('amazon');
    expect(installMethod(os('ID=alpine'), false)).toBeNull();
    expect(installMethod(os('ID=alpine'), true)).toBe('script');
    const facts = parseFacts('ID=alpine\nPRETTY_NAME="Alpine Linux v3.19"\n@@mfile-facts@@\ndockerd=\n');
    expect(() => installCommands(sandboxSpec('a1', { engine: { install: 'auto' } }), facts)).toThrow(
      /a1: cannot install Docker on Alpine Linux v3.19 \(id "alpine"\)/,
    );
  });

  it('parses the facts output', () => {
    const f = parseFacts(
      'ID=debian\n@@mfile-facts@@\ndockerd=/usr/sbin/dockerd\nsystemd=0\nhash=abc\ncertsum=def\ndropin=0\nrunning=1\npid=42\npkg_apt-get=1\nhostname=m1\n',
    );
    expect(f).toMatchObject({ dockerd: '/usr/sbin/dockerd', systemd: false, hash: 'abc', running: true, pid: 42, packageTools: ['apt-get'], hostname: 'm1' });
    expect(f.os.id).toBe('debian');
  });
});

describe('daemon.json', () => {
  it('holds labels, registries, logging, the free map, and mfile listeners that win over the map', () => {
    const m = sandboxSpec('m1', {
      engine: {
        port: 2377,
        labels: { role: 'web', zone: 'a' },
        registryMirrors: ['https://mirror.example'],
        insecureRegistries: ['10.0.0.1:5000'],
        storageDriver: 'overlay2',
        logDriver: 'json-file',
        logOpts: { 'max-size': '10m' },
        daemon: { 'live-restore': true, hosts: ['tcp://0.0.0.0:2375'] },
      },
    });
    expect(daemonJson(m)).toEqual({
      'live-restore': true,
      labels: ['role=web', 'zone=a'],
      'registry-mirrors': ['https://mirror.example'],
      'insecure-registries': ['10.0.0.1:5000'],
      'storage-driver': 'overlay2',
      'log-driver': 'json-file',
      'log-opts': { 'max-size': '10m' },
      hosts: ['unix:///var/run/docker.sock', 'tcp://0.0.0.0:2377'],
      tls: true,
      tlsverify: true,
      tlscacert: '/etc/docker/mfile/ca.pem',
      tlscert: '/etc/docker/mfile/server.pem',
      tlskey: '/etc/docker/mfile/server-key.pem',
    });
  });

  it('opens no TCP port with transport ssh', () => {
    expect(daemonJson(sandboxSpec('m1', { engine: { transport: 'ssh' } }))).toEqual({ hosts: ['unix:///var/run/docker.sock'] });
  });
});
