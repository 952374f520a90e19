#!/usr/bin/env bash
# The main job on the embedded sandbox: three sandbox machines and a small app, from examples/sandbox.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh
bash scripts/make-busybox-image.sh mfile-demo/busybox:1
mfile() { node bin/mfile.js "$@"; }
mfile validate -f examples/sandbox.yml
mfile apply -f examples/sandbox.yml -y
mfile ls -f examples/sandbox.yml
echo
echo "Try:  eval \"\$(node bin/mfile.js env web-1 -f examples/sandbox.yml)\"; docker ps"
echo "Then: node bin/mfile.js destroy -f examples/sandbox.yml -y"
