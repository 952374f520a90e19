// The machine's init, run as `tini -- sh init.sh DIR HOSTNAME` inside new mount, UTS and PID namespaces
// (tini as PID 1 reaps the dockerd that provisioning starts and later stops). It makes the namespace look
// like a fresh server: own hostname, /sys for its own interfaces, private /run, per-machine Docker folders,
// root's home, and sshd as the only way in.
import { MACHINE_DIR_INSIDE } from './sshd-config.js';

// DIR (the machine folder on the box) may lie below any folder the init mounts over (/run, /root, /tmp,
// /var/log, ...), or behind a symlink into one. So before anything is hidden, the folder is bound at a fixed
// path inside the new /run, and everything after that (and sshd_config) refers to it only by that path.
export const INIT_SCRIPT = `set -eu
D="$1"
hostname "$2"
M=${MACHINE_DIR_INSIDE}
# Private /run: docker.sock, pid files, containerd state, xtables lock and sshd's privsep dir per machine.
# It is made inside DIR (still reachable), gets DIR bound in, and only then moves onto /run.
# (-n: the box's mount table, /run/mount/utab, is no longer there to update.)
A="$D/run-aside"
mkdir -p "$A"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$A"
mkdir -p "$A/sshd" "$A/lock" "$A\${M#/run}"
mount --bind "$D" "$A\${M#/run}"
mount -n --move "$A" /run
# /sys showing this namespace's interfaces, but with the cgroup hierarchies kept: a fresh sysfs alone
# leaves /sys/fs/cgroup empty and dockerd dies with "Devices cgroup isn't mounted".
mkdir -p "$M/cgroup-aside"
mount --rbind /sys/fs/cgroup "$M/cgroup-aside"
umount -l /sys
mount -t sysfs sysfs /sys
mount --move "$M/cgroup-aside" /sys/fs/cgroup
R="$M/root"
mount --bind "$R/etc-docker" /etc/docker
if [ -e /etc/default/docker ]; then mount --bind "$R/etc-default-docker" /etc/default/docker; fi
mount --bind "$R/var-lib-docker" /var/lib/docker
mount --bind "$R/var-log" /var/log
mount --bind "$R/tmp" /tmp
# A fresh root home: the box's own dotfiles (and their slow shell start-up) stay outside.
mount --bind "$R/root-home" /root
# sshd's StrictModes refuses authorized_keys below a world-writable folder; /run/mfile is root's alone.
cp "$M/authorized_keys" /run/mfile/authorized_keys
chmod 600 /run/mfile/authorized_keys
/usr/sbin/sshd -f "$M/sshd_config" -E /var/log/sshd.log
# sshd forks into the background before it listens, and writes its pid file once listening.
i=0; while [ ! -s /run/sshd.pid ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done
echo ready > "$M/init.ready"
exec sleep infinity
`;
