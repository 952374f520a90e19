// Remote commands as argv arrays. Scripts passed to `sh -c` are constants; every value reaches them as a
// positional parameter ("$1"...), so quoting happens only in shell-quote.ts.
import {
  CONTAINERD_PIDFILE,
  DOCKERD_LOG,
  DOCKERD_PIDFILE,
  DOCKER_ETC,
  ENGINE_HASH_FILE,
  MFILE_ETC,
  REMOTE_CA,
  REMOTE_CERT,
  SYSTEMD_DROPIN,
  SYSTEMD_DROPIN_DIR,
  DAEMON_JSON,
  registryCaPath,
} from './paths.js';
import { posix } from 'node:path';

const dirname = (p: string): string => posix.dirname(p);

export type Argv = string[];

/** Separates /etc/os-release from the key=value facts in the facts output. */
export const FACTS_MARK = '@@mfile-facts@@';

/** One round trip for everything provisioning decides on. */
export function factsCommand(): Argv {
  const script = [
    'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null',
    `echo '${FACTS_MARK}'`,
    'echo "dockerd=$(command -v dockerd 2>/dev/null)"',
    'if [ -d /run/systemd/system ]; then echo systemd=1; else echo systemd=0; fi',
    `echo "hash=$(cat ${ENGINE_HASH_FILE} 2>/dev/null)"`,
    `echo "certsum=$(cat ${REMOTE_CA} ${REMOTE_CERT} 2>/dev/null | sha256sum | cut -d' ' -f1)"`,
    `if [ -f ${SYSTEMD_DROPIN} ]; then echo dropin=1; else echo dropin=0; fi`,
    'if [ -d /run/systemd/system ]; then',
    '  if systemctl is-active --quiet docker 2>/dev/null; then echo running=1; else echo running=0; fi',
    'else',
    `  p=$(cat ${DOCKERD_PIDFILE} 2>/dev/null); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo running=1; echo pid=$p; else echo running=0; fi`,
    'fi',
    'for m in apt-get dnf yum; do command -v $m >/dev/null 2>&1 && echo "pkg_$m=1"; done',
    'echo "hostname=$(hostname)"',
  ].join('\n');
  return ['sh', '-c', script];
}

export function mkdirCommand(): Argv {
  return ['mkdir', '-p', DOCKER_ETC, MFILE_ETC];
}

/** The certs.d folders of the registries whose CA the machine gets. */
export function registryCaDirsCommand(addresses: string[]): Argv {
  return ['mkdir', '-p', ...addresses.map((a) => dirname(registryCaPath(a)))];
}

export function aptInstallCommands(): Argv[] {
  const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
  return [
    [...env, 'apt-get', 'update', '-q'],
    // apparmor is only a Recommends of docker.io, but Debian's kernel enables AppArmor: without the parser,
    // dockerd starts yet every container fails ("docker-default profile could not be loaded").
    [...env, 'apt-get', 'install', '-y', '-q', '--no-install-recommends', 'docker.io', 'apparmor'],
  ];
}

export function fedoraInstallCommands(tool: 'dnf' | 'yum'): Argv[] {
  return [[tool, 'install', '-y', 'moby-engine']];
}

export function amazonInstallCommands(): Argv[] {
  return [['yum', 'install', '-y', 'docker']];
}

/** RHEL-likes have no Docker in their own repositories: add Docker's. */
export function rhelInstallCommands(tool: 'dnf' | 'yum'): Argv[] {
  const repo = 'https://download.docker.com/linux/centos/docker-ce.repo';
  const addRepo = tool === 'dnf' ? ['dnf', 'config-manager', '--add-repo', repo] : ['yum-config-manager', '--add-repo', repo];
  return [addRepo, [tool, 'install', '-y', 'docker-ce', 'docker-ce-cli', 'containerd.io']];
}

export function installScriptCommands(url: string): Argv[] {
  const script =
    'f=$(mktemp) && { curl -fsSL "$1" -o "$f" 2>/dev/null || wget -qO "$f" "$1"; } && sh "$f"; r=$?; rm -f "$f"; exit $r';
  return [['sh', '-c', script, 'sh', url]];
}

export function systemdDropinContent(dockerdPath: string): string {
  // docker.io's unit runs `dockerd -H fd://`, which conflicts with `hosts` in daemon.json: reset ExecStart.
  return `[Service]\nExecStart=\nExecStart=${dockerdPath}\n`;
}

export function systemdDropinDirCommand(): Argv {
  return ['mkdir', '-p', SYSTEMD_DROPIN_DIR];
}

export function systemdRestartCommands(): Argv[] {
  return [
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', 'docker'],
    ['systemctl', 'restart', 'docker'],
  ];
}

/**
 * `alive PID`: true while the process runs. A zombie counts as gone: where PID 1 reaps slowly, a killed dockerd or
 * its containerd lingers as one, and `kill -0` alone would wait on it for ever.
 */
export const ALIVE_SHELL_FUNCTION =
  'alive() { kill -0 "$1" 2>/dev/null && [ "$(sed -n \'s/.*) \\(.\\).*/\\1/p\' "/proc/$1/stat" 2>/dev/null)" != Z ]; }';

/** Stops the dockerd of the pidfile and waits for it: SIGTERM, then SIGKILL after 20 s, then at most 10 s more. */
const STOP_PIDFILE_DOCKERD = [
  ALIVE_SHELL_FUNCTION,
  `p=$(cat ${DOCKERD_PIDFILE} 2>/dev/null)`,
  'if [ -n "$p" ] && alive "$p"; then',
  '  kill "$p" 2>/dev/null',
  '  i=0; while alive "$p"; do i=$((i+1)); if [ $i -eq 200 ]; then kill -9 "$p"; fi; if [ $i -gt 300 ]; then break; fi; sleep 0.1; done',
  'fi',
];

/** Without systemd: stop the dockerd of the pidfile (waiting for it to exit), then start a new one. */
export function supervisedRestartCommand(dockerdPath: string): Argv {
  const script = [
    ...STOP_PIDFILE_DOCKERD,
    // dockerd takes a containerd pid file naming a zombie for a running containerd and times out waiting on it.
    `c=$(cat ${CONTAINERD_PIDFILE} 2>/dev/null)`,
    `if [ -n "$c" ] && ! alive "$c"; then rm -f ${CONTAINERD_PIDFILE}; fi`,
    // setsid: its own session, so it outlives this SSH channel; stdio away from the channel so exec returns.
    `setsid "$1" </dev/null >>${DOCKERD_LOG} 2>&1 &`,
  ].join('\n');
  return ['sh', '-c', script, 'sh', dockerdPath];
}

export function stopDockerdCommand(systemd: boolean): Argv {
  if (systemd) return ['systemctl', 'stop', 'docker'];
  return ['sh', '-c', STOP_PIDFILE_DOCKERD.join('\n')];
}

export function engineLogTailCommand(systemd: boolean): Argv {
  return systemd
    ? ['journalctl', '-u', 'docker', '-n', '15', '--no-pager']
    : ['tail', '-n', '15', DOCKERD_LOG];
}

/** engine.uninstall: remove what provisioning wrote. */
export function removeEngineConfigCommand(): Argv {
  return ['rm', '-rf', MFILE_ETC, DAEMON_JSON, SYSTEMD_DROPIN];
}

// ---- Power verbs (mfile start/stop/restart/kill) on the Docker service ----

/** systemd's docker.socket starts docker.service again on the first request: a stop stops both. */
const STOP_SOCKET = 'if systemctl cat docker.socket >/dev/null 2>&1; then systemctl stop docker.socket; fi';

export function startDockerCommand(systemd: boolean, dockerdPath: string): Argv {
  if (systemd) return ['systemctl', 'start', 'docker'];
  // The supervised start: no dockerd of the pidfile runs, so nothing is stopped first.
  return supervisedRestartCommand(dockerdPath);
}

export function stopDockerServiceCommand(systemd: boolean): Argv {
  if (systemd) return ['sh', '-c', `${STOP_SOCKET}\nsystemctl stop docker`];
  return stopDockerdCommand(false);
}

/** SIGKILL the daemon, no grace. Under systemd the unit is then stopped, or Restart=always brings it back. */
export function killDockerdCommand(systemd: boolean): Argv {
  if (systemd) return ['sh', '-c', `${STOP_SOCKET}\nsystemctl kill -s KILL docker\nsystemctl stop docker`];
  const script = [
    ALIVE_SHELL_FUNCTION,
    `p=$(cat ${DOCKERD_PIDFILE} 2>/dev/null)`,
    'if [ -n "$p" ] && alive "$p"; then kill -9 "$p"; i=0; while alive "$p" && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.1; done; fi',
  ].join('\n');
  return ['sh', '-c', script];
}
