// The machine's init, run as `tini -- sh init.sh DIR HOSTNAME` inside new mount, UTS and PID namespaces
// (tini as PID 1 reaps the dockerd that provisioning starts and later stops). It makes the namespace look
// like a fresh server: own hostname, /sys for its own interfaces, private /run, per-machine Docker folders,
// root's home, and sshd as the only way in.
export const INIT_SCRIPT = `set -eu
D="$1"
hostname "$2"
# /sys showing this namespace's interfaces, but with the cgroup hierarchies kept: a fresh sysfs alone
# leaves /sys/fs/cgroup empty and dockerd dies with "Devices cgroup isn't mounted".
mkdir -p "$D/cgroup-aside"
mount --rbind /sys/fs/cgroup "$D/cgroup-aside"
umount -l /sys
mount -t sysfs sysfs /sys
mount --move "$D/cgroup-aside" /sys/fs/cgroup
# Private /run: docker.sock, pid files, containerd state, xtables lock and sshd's privsep dir per machine.
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
mkdir -p /run/sshd /run/lock /run/mfile
R="$D/root"
mount --bind "$R/etc-docker" /etc/docker
if [ -e /etc/default/docker ]; then mount --bind "$R/etc-default-docker" /etc/default/docker; fi
mount --bind "$R/var-lib-docker" /var/lib/docker
mount --bind "$R/var-log" /var/log
mount --bind "$R/tmp" /tmp
# A fresh root home: the box's own dotfiles (and their slow shell start-up) stay outside.
mount --bind "$R/root-home" /root
# sshd's StrictModes refuses authorized_keys below a world-writable folder; /run/mfile is root's alone.
cp "$D/authorized_keys" /run/mfile/authorized_keys
chmod 600 /run/mfile/authorized_keys
/usr/sbin/sshd -f "$D/sshd_config" -E /var/log/sshd.log
# sshd forks into the background before it listens, and writes its pid file once listening.
i=0; while [ ! -s /run/sshd.pid ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done
echo ready > "$D/init.ready"
exec sleep infinity
`;

export function sshdConfig(dir: string, ip: string): string {
  return [
    `ListenAddress ${ip}:22`,
    `HostKey ${dir}/ssh_host_ed25519_key`,
    'PidFile /run/sshd.pid',
    'AuthorizedKeysFile /run/mfile/authorized_keys',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'AllowStreamLocalForwarding yes',
    'MaxSessions 10',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}
