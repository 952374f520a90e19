#!/bin/sh
# Regenerate the cloud drivers' client types from the vendors' API descriptions (kept under test/contracts/specs),
# cut to the operations each driver calls. Run after changing which operations a driver uses; commit the result.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

node scripts/openapi-subset.mjs test/contracts/specs/hetzner/hcloud.json "$tmp/hetzner.json" \
  'get /locations' 'get /server_types' 'get /images' \
  'get /servers' 'post /servers' 'get /servers/{id}' 'delete /servers/{id}' \
  'post /servers/{id}/actions/poweron' 'post /servers/{id}/actions/poweroff' \
  'post /servers/{id}/actions/shutdown' 'post /servers/{id}/actions/reboot' \
  'get /actions/{id}' \
  'get /ssh_keys' 'post /ssh_keys' 'delete /ssh_keys/{id}' \
  'get /firewalls' 'post /firewalls' 'delete /firewalls/{id}'
npx openapi-typescript "$tmp/hetzner.json" -o src/drivers/hetzner/api-types.ts
