#!/usr/bin/env node
// Cut a vendor's OpenAPI description down to the operations a driver calls (and the components they reach),
// so the generated client types stay small. Usage: openapi-subset.mjs SPEC.(json|yaml) OUT.json 'get /servers' ...
import { readFileSync, writeFileSync } from 'node:fs';
import yaml from 'js-yaml';

const [spec, out, ...ops] = process.argv.slice(2);
if (!spec || !out || ops.length === 0) {
  console.error("usage: openapi-subset.mjs SPEC OUT.json 'METHOD /path'...");
  process.exit(2);
}
const text = readFileSync(spec, 'utf8');
const doc = spec.endsWith('.json') ? JSON.parse(text) : yaml.load(text);

const paths = {};
for (const op of ops) {
  const [method, path] = op.split(' ');
  const item = doc.paths[path];
  if (!item?.[method]) throw new Error(`no operation ${op} in ${spec}`);
  paths[path] ??= item.parameters ? { parameters: item.parameters } : {};
  paths[path][method] = item[method];
}

// Every #/components/... reference reachable from the kept operations, followed transitively.
const kept = {};
const seen = new Set();
const visit = (node) => {
  if (Array.isArray(node)) return node.forEach(visit);
  if (!node || typeof node !== 'object') return;
  const ref = node.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/components/') && !seen.has(ref)) {
    seen.add(ref);
    const [, , kind, name] = ref.split('/');
    const target = doc.components[kind][name];
    (kept[kind] ??= {})[name] = target;
    visit(target);
  }
  for (const v of Object.values(node)) visit(v);
};
visit(paths);
for (const kind of Object.keys(kept)) kept[kind] = Object.fromEntries(Object.entries(kept[kind]).sort(([a], [b]) => a.localeCompare(b)));

const subset = { openapi: doc.openapi, info: doc.info, servers: doc.servers, paths, components: kept };
writeFileSync(out, JSON.stringify(subset, null, 1) + '\n');
console.log(`${out}: ${ops.length} operations, ${seen.size} components`);
