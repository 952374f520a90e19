#!/usr/bin/env bash
# Builds a Go binary into OUT unless it is there: docker-machine from its source tarball (GOPATH mode, vendored
# dependencies, offline), or one standard-library-only Go file. Run under flock by binaries.ts; the final rename
# within OUT's folder makes the binary appear whole to readers that do not take the lock.
# Usage: build-go-binary.sh OUT tarball SRC.tar.gz | build-go-binary.sh OUT file MAIN.go
set -euo pipefail
out=$1 kind=$2 src=$3
[ -e "$out" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GO111MODULE=off GOFLAGS= GOPROXY=off CGO_ENABLED=0
if [ "$kind" = tarball ]; then
  mkdir -p "$work/gp/src/github.com/docker"
  tar -C "$work" -xzf "$src"
  mv "$work"/machine-* "$work/gp/src/github.com/docker/machine"
  (cd "$work/gp/src/github.com/docker/machine" && GOPATH=$work/gp go build -o "$work/bin" ./cmd/docker-machine)
else
  go build -o "$work/bin" "$src"
fi
cp "$work/bin" "$out.tmp"
mv "$out.tmp" "$out"
