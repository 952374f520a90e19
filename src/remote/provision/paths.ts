// Where provisioning puts things on the machine. Stock paths, so a provisioned host looks like any Docker host.
export const DOCKER_ETC = '/etc/docker';
export const DAEMON_JSON = '/etc/docker/daemon.json';
export const MFILE_ETC = '/etc/docker/mfile';
export const REMOTE_CA = '/etc/docker/mfile/ca.pem';
export const REMOTE_CERT = '/etc/docker/mfile/server.pem';
export const REMOTE_KEY = '/etc/docker/mfile/server-key.pem';
/** sha256 of the engine configuration provisioning wrote (engineConfigHash). */
export const ENGINE_HASH_FILE = '/etc/docker/mfile/engine.hash';
export const SYSTEMD_DROPIN_DIR = '/etc/systemd/system/docker.service.d';
export const SYSTEMD_DROPIN = '/etc/systemd/system/docker.service.d/mfile.conf';
export const DOCKER_SOCKET = '/var/run/docker.sock';
export const DOCKERD_PIDFILE = '/var/run/docker.pid';
/** dockerd's default exec-root keeps the pid of the containerd it started here. */
export const CONTAINERD_PIDFILE = '/var/run/docker/containerd/containerd.pid';
export const DOCKERD_LOG = '/var/log/mfile-dockerd.log';
/** Where dockerd looks for the CA of registry HOST:PORT (read on each pull: no restart needed). */
export const registryCaPath = (address: string): string => `/etc/docker/certs.d/${address}/ca.crt`;
