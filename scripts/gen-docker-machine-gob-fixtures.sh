#!/usr/bin/env bash
# Regenerates test/fixtures/docker-machine-gob/: gob streams written by Go's encoding/gob (shapes/NAME.gob, one
# fresh process each) and net/rpc transcripts of a real Docker Machine 0.16.2 plugin (NAME.c2s / NAME.s2c), from
# the Go program in that folder's gen/. Needs Go (Debian's golang-go) and Docker Machine's source tarball; builds
# offline. DOCKER_MACHINE_BIN reuses an already built docker-machine binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${MFILE_DOCKER_MACHINE_SRC:-/work/shared/peers/docker-machine-0.16.2-src.tar.gz}
out=$root/test/fixtures/docker-machine-gob
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/gp/src/github.com/docker"
tar -C "$work" -xzf "$src"
mv "$work"/machine-* "$work/gp/src/github.com/docker/machine"
tree=$work/gp/src/github.com/docker/machine
mkdir -p "$tree/cmd/mfile-gob-fixtures"
cp "$out/gen/main.go" "$tree/cmd/mfile-gob-fixtures/main.go"
export GOPATH=$work/gp GO111MODULE=off GOFLAGS= GOPROXY=off CGO_ENABLED=0
(cd "$tree" && go build -o "$work/gen" ./cmd/mfile-gob-fixtures)
bin=${DOCKER_MACHINE_BIN:-}
if [ -z "$bin" ]; then
  (cd "$tree" && go build -o "$work/docker-machine" ./cmd/docker-machine)
  bin=$work/docker-machine
fi

rm -rf "$out/shapes" && mkdir -p "$out/shapes"
for name in $("$work/gen" names | sort); do
  "$work/gen" shape "$name" > "$out/shapes/$name.gob"
done
"$work/gen" transcript "$bin" none none "$out"
"$work/gen" transcript "$bin" amazonec2 amazonec2 "$out"
echo "fixtures written to $out"
