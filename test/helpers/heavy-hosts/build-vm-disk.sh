#!/usr/bin/env bash
# Builds the cached disk of the Debian VM test host (systemd, sshd, a static address) without mounting anything:
# debootstrap into a folder, write the configuration into the tree, `mkfs.ext4 -d` it into a raw image.
# Usage: build-vm-disk.sh CACHE_DIR MIRROR IP/PREFIX GATEWAY APT_URL
# Makes CACHE_DIR/vm/{disk.img,vmlinuz,initrd.img,id_ed25519,id_ed25519.pub}. The VM boots with -snapshot, so the
# cached disk stays pristine (Docker not installed) from run to run.
set -euo pipefail
cache=$1 mirror=$2 addr=$3 gateway=$4 apt_url=$5
out="$cache/vm"
tmp="$cache/vm.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
[ -f "$out/disk.img" ] && exit 0
rm -rf "$out"
mkdir -p "$tmp"
r="$tmp/rootfs"
mkdir -p "$cache/debs"
debootstrap --cache-dir="$cache/debs" --variant=minbase --include=systemd-sysv,udev,kmod,linux-image-amd64,openssh-server,iproute2,procps \
  bookworm "$r" "$mirror" >"$cache/debootstrap-vm.log" 2>&1 || { tail -n 20 "$cache/debootstrap-vm.log" >&2; exit 1; }
echo mfile-vm >"$r/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 mfile-vm\n' >"$r/etc/hosts"
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$r/etc/fstab"
mkdir -p "$r/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nAddress=%s\nGateway=%s\n' "$addr" "$gateway" >"$r/etc/systemd/network/10-wired.network"
chroot "$r" systemctl enable systemd-networkd.service >/dev/null 2>&1
# Nothing may take the apt lock or the CPU behind the test's back (TCG is slow enough).
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer man-db.timer; do
  ln -sf /dev/null "$r/etc/systemd/system/$u"
done
# The only package source: the local repository the test serves on the bridge address.
echo "deb [trusted=yes] $apt_url ./" >"$r/etc/apt/sources.list"
rm -f "$r"/etc/apt/sources.list.d/*
chroot "$r" apt-get clean
rm -rf "$r"/var/lib/apt/lists/*
ssh-keygen -q -t ed25519 -N '' -C mfile-test-vm -f "$tmp/id_ed25519"
install -d -m 700 "$r/root/.ssh"
install -m 600 "$tmp/id_ed25519.pub" "$r/root/.ssh/authorized_keys"
rm -f "$r"/etc/ssh/ssh_host_*
ssh-keygen -q -t ed25519 -N '' -f "$r/etc/ssh/ssh_host_ed25519_key"
cp -L "$r/vmlinuz" "$tmp/vmlinuz"
cp -L "$r/initrd.img" "$tmp/initrd.img"
if chroot "$r" dpkg -s docker.io >/dev/null 2>&1; then echo "docker.io is already in the VM root" >&2; exit 1; fi
mkfs.ext4 -q -F -L mfile-vm -d "$r" "$tmp/disk.img" 3G
rm -rf "$r"
mv "$tmp" "$out"
