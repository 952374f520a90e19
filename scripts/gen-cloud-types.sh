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

node scripts/openapi-subset.mjs test/contracts/specs/digitalocean/digitalocean-v2.bundled.yaml "$tmp/digitalocean.json" \
  'get /v2/regions' 'get /v2/sizes' 'get /v2/images' \
  'get /v2/droplets' 'post /v2/droplets' 'get /v2/droplets/{droplet_id}' 'delete /v2/droplets/{droplet_id}' \
  'post /v2/droplets/{droplet_id}/actions' 'get /v2/actions/{action_id}' \
  'get /v2/account/keys' 'post /v2/account/keys' 'delete /v2/account/keys/{ssh_key_identifier}' \
  'get /v2/firewalls' 'post /v2/firewalls' 'delete /v2/firewalls/{firewall_id}'
npx openapi-typescript "$tmp/digitalocean.json" -o src/drivers/digitalocean/api-types.ts
