# The Debian-root host's init, run by the host's sh under tini-static (PID 1 of the host's own PID namespace),
# inside its network namespace and fresh mount + UTS namespaces (private propagation).
# Usage: sh init-debian-root.sh DIR LOWER HOSTNAME
# DIR holds upper/ and work/ (the overlay's per-host layers), merged/ (the mount point) and docker-data/ (a real
# ext4 folder for /var/lib/docker: overlay2 cannot sit on an overlay). Every mount lives in this mount namespace
# only, so it all goes away with the host's processes.
set -eu
D=$1 LOWER=$2 NAME=$3
M="$D/merged"
hostname "$NAME"
mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$D/upper,workdir=$D/work" "$M"
mkdir -p "$M/var/lib/docker"
mount --bind "$D/docker-data" "$M/var/lib/docker"
mount -t proc proc "$M/proc"
# A fresh sysfs shows this namespace's interfaces; the cgroup hierarchies come from the machine (dockerd needs them).
mount -t sysfs sysfs "$M/sys"
mount --rbind /sys/fs/cgroup "$M/sys/fs/cgroup"
mount --rbind /dev "$M/dev"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$M/run"
mkdir -p "$M/run/sshd" "$M/run/lock"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$M/tmp"
# pivot_root, not chroot: runc pivots into each container's root, which fails inside a chroot.
cd "$M"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
# The host's busybox (still reachable under the old root) unmounts it; nothing of the machine stays visible.
/.oldroot/bin/busybox umount -l /.oldroot
rmdir /.oldroot
exec /usr/sbin/sshd -D -e
