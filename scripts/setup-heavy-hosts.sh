#!/usr/bin/env bash
# Prepares this machine (as root) for the heavier provisioning tests (test/e2e/provision-*.test.ts): debootstrap
# for the Debian roots, qemu (TCG) for the VM, qemu-img (qemu-utils), sfdisk (fdisk) and extlinux
# (extlinux, syslinux-common) for the qemu driver's cloud-like image, dpkg-dev for the local apt repository, busybox-static for its
# web server, tini-static as the Debian-root host's PID 1, golang-go to build docker-machine and the fault plugin
# for the Docker Machine plugin tests (test/drivers/docker-machine/). Idempotent: a second run only checks dpkg's database.
# The roots, disk image and .deb repository themselves are built (and cached under /var/cache/mfile-test) by the
# tests' helpers, test/helpers/heavy-hosts/.
set -euo pipefail

need=()
for p in debootstrap qemu-system-x86 qemu-utils fdisk extlinux syslinux-common dpkg-dev e2fsprogs busybox-static tini iproute2 iptables openssh-client golang-go; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-heavy-hosts: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# qemu's tap networking needs the tun device; minimal containers and chroots often come without it.
if [ ! -c /dev/net/tun ]; then
  echo "setup-heavy-hosts: creating /dev/net/tun"
  mkdir -p /dev/net
  mknod -m 0600 /dev/net/tun c 10 200
fi
mkdir -p /var/cache/mfile-test
chmod 700 /var/cache/mfile-test
