#!/usr/bin/env bash
# Builds the cached Debian root of the "own Debian root" test host and the local apt repository of the docker.io
# .debs that an install in that root needs. Usage: build-debian-root.sh CACHE_DIR MIRROR
# Makes CACHE_DIR/root (minbase + sshd + iproute2, no apt lists, no host keys, no sources) and CACHE_DIR/repo
# (the .debs + Packages.gz). Each is built in a temporary folder and renamed into place, so a half-built cache is
# never reused.
set -euo pipefail
cache=$1 mirror=$2
tmp="$cache/root.tmp.$$"
repo_tmp="$cache/repo.tmp.$$"
trap 'rm -rf "$tmp" "$repo_tmp"' EXIT
mkdir -p "$cache"
if [ ! -d "$cache/root" ] || [ ! -d "$cache/repo" ]; then
  rm -rf "$cache/root" "$cache/repo"
  mkdir -p "$cache/debs"
  # --cache-dir: the VM's debootstrap reuses the .debs this one downloads.
  debootstrap --cache-dir="$cache/debs" --variant=minbase --include=openssh-server,openssh-sftp-server,iproute2 bookworm "$tmp" "$mirror" >"$cache/debootstrap-root.log" 2>&1 \
    || { tail -n 20 "$cache/debootstrap-root.log" >&2; exit 1; }
  # The .debs an install of docker.io picks in exactly this root (same packages and flags as mfile's provisioner).
  cp /etc/resolv.conf "$tmp/etc/resolv.conf"
  chroot "$tmp" apt-get update -qq
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --download-only --no-install-recommends docker.io apparmor >/dev/null
  mkdir -p "$repo_tmp"
  mv "$tmp"/var/cache/apt/archives/*.deb "$repo_tmp/"
  (cd "$repo_tmp" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages && gzip -9kf Packages)
  # A pristine host: no package lists, no sources (the test points apt at the local repository), no host keys.
  chroot "$tmp" apt-get clean
  rm -rf "$tmp"/var/lib/apt/lists/* "$tmp"/etc/ssh/ssh_host_*
  : >"$tmp/etc/apt/sources.list"
  : >"$tmp/etc/resolv.conf"
  chroot "$tmp" dpkg -s docker.io >/dev/null 2>&1 && { echo "docker.io is already in the root" >&2; exit 1; }
  mv "$repo_tmp" "$cache/repo"
  mv "$tmp" "$cache/root"
fi
echo "$(ls "$cache/repo"/*.deb | wc -l) debs in $cache/repo"
