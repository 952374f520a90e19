#!/usr/bin/env bash
# Prepares a fresh Debian machine (as root) for mfile's demo and tests: packages, a running dockerd, npm deps.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
# tmux: the terminal-view test runs the CLI in a real pseudo-terminal; curl: the install-script test fetches with it;
# python3: the example driver plugin (examples/driver-plugin-python) and its end-to-end test.
for p in docker.io openssh-server busybox-static iproute2 iptables tini tmux curl python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  echo "setup: installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# The heavier provisioning tests' tools (debootstrap, qemu, dpkg-dev); their roots are built and cached by the tests.
bash scripts/setup-heavy-hosts.sh

# There is no systemd here: start the controller's dockerd ourselves when nothing answers on the socket.
if ! docker version >/dev/null 2>&1; then
  echo "setup: starting dockerd"
  mkdir -p /var/log
  setsid dockerd --pidfile /run/mfile-controller-dockerd.pid >/var/log/mfile-controller-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 0.5; done
  docker version >/dev/null 2>&1 || { echo "setup: dockerd did not start; see /var/log/mfile-controller-dockerd.log" >&2; exit 1; }
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund >/dev/null
fi
npm run --silent build
