// Image references follow the distribution project's grammar; a bad one is a positioned config error.
import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/model/image-reference.js';
import { HEAD, issues } from './helpers.js';

const HEX = 'a'.repeat(64);

describe('the reference grammar', () => {
  it.each([
    ['nginx', { name: 'nginx' }],
    ['nginx:1.27', { name: 'nginx', tag: '1.27' }],
    ['library/nginx:1.27-alpine', { name: 'library/nginx', tag: '1.27-alpine' }],
    ['registry.example.com:5000/team/app:v1.2_3', { name: 'registry.example.com:5000/team/app', tag: 'v1.2_3' }],
    ['localhost:5000/a__b/c-d.e', { name: 'localhost:5000/a__b/c-d.e' }],
    ['[::1]:5000/app', { name: '[::1]:5000/app' }],
    [`app@sha256:${HEX}`, { name: 'app', digest: `sha256:${HEX}` }],
    [`app:1@sha256:${HEX}`, { name: 'app', tag: '1', digest: `sha256:${HEX}` }],
  ])('reads %s', (ref, parts) => {
    expect(parseImageReference(ref)).toEqual(parts);
  });

  it.each([
    ['Nginx:1.27', 'the repository name must be lower-case'],
    ['', 'it is empty'],
    ['nginx:', 'expected [HOST[:PORT]/]NAME'],
    ['nginx:-x', 'expected [HOST[:PORT]/]NAME'],
    ['a//b', 'expected [HOST[:PORT]/]NAME'],
    ['a_', 'expected [HOST[:PORT]/]NAME'],
    ['a/../b', 'expected [HOST[:PORT]/]NAME'],
    ['nginx:1 ', 'expected [HOST[:PORT]/]NAME'],
    [`nginx:${'x'.repeat(129)}`, 'expected [HOST[:PORT]/]NAME'],
    ['app@sha256:abc', 'expected [HOST[:PORT]/]NAME'],
    [`app@sha256:${HEX}0`, 'a sha256 digest has 64 hex digits'],
    [`${'a'.repeat(256)}:1`, 'the name is longer than 255 characters'],
  ])('refuses %j', (ref, problem) => {
    const r = parseImageReference(ref);
    expect('problem' in r && r.problem).toContain(problem);
  });
});

describe('image: in machines.yml', () => {
  it('names the file, line and column, with the value escaped', async () => {
    const found = await issues(`${HEAD}containers:\n  web:\n    machine: m1\n    image: "Web\\e[2J:1"\n  api:\n    machine: m1\n    image: "api:"\n`);
    expect(found).toEqual([
      "machines.yml:8:12: containers.web.image: 'Web\\u001b[2J:1' is not a valid image reference: expected [HOST[:PORT]/]NAME[:TAG][@DIGEST], e.g. nginx:1.27 or registry.example.com:5000/team/app@sha256:…",
      "machines.yml:11:12: containers.api.image: 'api:' is not a valid image reference: expected [HOST[:PORT]/]NAME[:TAG][@DIGEST], e.g. nginx:1.27 or registry.example.com:5000/team/app@sha256:…",
    ]);
  });

  it('accepts a reference made of variables once they are substituted', async () => {
    const found = await issues(`version: 1\nvariables:\n  tag: { default: "1.27" }\nmachines:\n  m1: { driver: local }\ncontainers:\n  web:\n    machine: m1\n    image: "nginx:\${tag}"\n`);
    expect(found).toEqual([]);
  });
});
