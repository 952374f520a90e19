#!/usr/bin/env bash
# Builds a cloud-like bootable qcow2 image for the qemu driver's tests, offline: debootstrap a Debian root with a
# kernel, systemd, sshd, cloud-init (NoCloud; network-config rendered for systemd-networkd) and sudo, apt pointed at
# the local repository the test serves on the host's loopback (10.0.2.2 from a user-networking guest), onto a
# partitioned raw disk made bootable by extlinux, converted to qcow2.
# Usage: build-cloud-image.sh CACHE_DIR MIRROR OUT_DIR APT_URL
# Makes OUT_DIR/base.qcow2 and OUT_DIR/base.qcow2.sha256 (in a temporary folder renamed into place at the end).
set -euo pipefail
cache=$1 mirror=$2 out=$3 apt_url=$4
[ -f "$out/base.qcow2" ] && exit 0
tmp="$out.tmp.$$"
loop=
cleanup() {
  mountpoint -q "$tmp/mnt" 2>/dev/null && umount "$tmp/mnt"
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/mnt" "$cache/debs"
r="$tmp/rootfs"
# python3-cffi-backend: debootstrap does not resolve the virtual package python3-cryptography needs. dbus: logind
# handles the ACPI power button (qemu's system_powerdown) only with it.
debootstrap --cache-dir="$cache/debs" --variant=minbase \
  --include=linux-image-amd64,systemd-sysv,udev,kmod,dbus,openssh-server,iproute2,procps,cloud-init,python3-cffi-backend,isc-dhcp-client,ca-certificates,sudo \
  bookworm "$r" "$mirror" >"$cache/debootstrap-cloud.log" 2>&1 || { tail -n 20 "$cache/debootstrap-cloud.log" >&2; exit 1; }
echo localhost >"$r/etc/hostname"
echo 'LABEL=root / ext4 rw,errors=remount-ro 0 1' >"$r/etc/fstab"
mkdir -p "$r/etc/systemd/network"
# With no netplan or ifupdown in the root, cloud-init renders the seed's network-config (a static address on a
# bridge) or its DHCP fallback for systemd-networkd, as Debian's cloud images do through netplan; networkd must
# be enabled for that. The DHCP file below is the fallback's fallback (it matches only names cloud-init kept).
printf '[Match]\nName=en*\n\n[Network]\nDHCP=yes\n' >"$r/etc/systemd/network/20-wired.network"
chroot "$r" systemctl enable systemd-networkd.service >/dev/null 2>&1
# No locales package in a minbase root: cloud-init's locale module would fail and mark the boot as an error.
printf 'datasource_list: [ NoCloud, None ]\nlocale: false\n' >"$r/etc/cloud/cloud.cfg.d/99-mfile-test.cfg"
# Nothing may take the apt lock or the CPU behind the test's back (TCG is slow enough).
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer man-db.timer; do
  ln -sf /dev/null "$r/etc/systemd/system/$u"
done
echo "deb [trusted=yes] $apt_url ./" >"$r/etc/apt/sources.list"
rm -f "$r"/etc/apt/sources.list.d/*
chroot "$r" apt-get clean
rm -rf "$r"/var/lib/apt/lists/* "$r"/etc/ssh/ssh_host_*
if chroot "$r" dpkg -s docker.io >/dev/null 2>&1; then echo "docker.io is already in the image root" >&2; exit 1; fi
kver=$(basename "$(ls "$r"/boot/vmlinuz-* | head -n1)" | sed 's/^vmlinuz-//')
truncate -s 3G "$tmp/disk.raw"
echo 'type=83, bootable' | sfdisk -q "$tmp/disk.raw"
# No udev here: loop partitions get no device node, so the root partition is reached by its offset.
loop=$(losetup -f --show -o $((2048 * 512)) "$tmp/disk.raw")
# extlinux 6.04 reads only an ext4 without 64bit and metadata_csum.
mkfs.ext4 -q -F -L root -O ^64bit,^metadata_csum "$loop"
mount "$loop" "$tmp/mnt"
cp -a "$r/." "$tmp/mnt/"
mkdir -p "$tmp/mnt/boot/extlinux"
printf 'DEFAULT l\nTIMEOUT 1\nLABEL l\n LINUX /boot/vmlinuz-%s\n INITRD /boot/initrd.img-%s\n APPEND root=LABEL=root rw console=ttyS0\n' "$kver" "$kver" \
  >"$tmp/mnt/boot/extlinux/extlinux.conf"
extlinux --install "$tmp/mnt/boot/extlinux" >/dev/null 2>&1
umount "$tmp/mnt"
losetup -d "$loop"
loop=
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$tmp/disk.raw" bs=440 count=1 conv=notrunc status=none
mkdir -p "$tmp/img"
qemu-img convert -O qcow2 "$tmp/disk.raw" "$tmp/img/base.qcow2"
(cd "$tmp/img" && sha256sum base.qcow2 | cut -d' ' -f1 >base.qcow2.sha256)
rm -rf "$out"
mv "$tmp/img" "$out"
