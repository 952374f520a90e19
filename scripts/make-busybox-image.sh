#!/usr/bin/env bash
# Builds a tiny image from the busybox-static binary with `docker import` (no registry needed).
# Usage: make-busybox-image.sh NAME:TAG [MARKER]   (a different MARKER gives a different image ID)
set -euo pipefail
ref=${1:-mfile-demo/busybox:1}
marker=${2:-$ref}
docker image inspect "$ref" >/dev/null 2>&1 && exit 0
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/www" "$root/tmp" "$root/var/www"
cp /bin/busybox "$root/bin/busybox"
for applet in sh ash cat echo env hostname httpd id ls mkdir nc ping printf rm sleep sync test touch true false wget date; do
  ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf '<h1>served by mfile</h1>\n' >"$root/www/index.html"
printf '%s\n' "$marker" >"$root/etc/mfile-image"
tar --numeric-owner --owner=0 --group=0 -C "$root" -cf - . \
  | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$ref" >/dev/null
echo "built $ref"
