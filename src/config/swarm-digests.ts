// Content digests of the files behind swarm secrets and configs: a new content gets a new engine name, so a
// changed file rotates the object. Secret digests are slow and salted (scrypt), so a short secret cannot be
// confirmed from the name. A file that cannot be read has no digest: validate must work without secret files
// (they are usually kept out of git); plan warns and apply fails naming the file.
import { createHash, scrypt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SecretSpec } from '../model/desired.js';
import type { DesiredSwarm } from '../model/swarm.js';

const COST = { N: 1 << 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

async function content(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

function slow(data: Buffer, project: string): Promise<string> {
  return new Promise((resolve, reject) =>
    scrypt(data, `mfile swarm secret\0${project}`, 16, COST, (err, key) => (err ? reject(err) : resolve(key.toString('hex')))),
  );
}

/** Fills in the digests of the configs and of the secrets the services mount. */
export async function swarmDigests(swarm: DesiredSwarm, secrets: Record<string, SecretSpec>, project: string): Promise<void> {
  const used = new Set(Object.values(swarm.services).flatMap((s) => s.secrets.map((m) => m.source)));
  await Promise.all([
    ...[...used].filter((n) => Object.hasOwn(secrets, n)).map(async (n) => {
      const data = await content(secrets[n].file);
      if (data) swarm.secretDigests[n] = await slow(data, project);
    }),
    ...Object.values(swarm.configs).map(async (c) => {
      const data = await content(c.file);
      if (data) c.digest = createHash('sha256').update(data).digest('hex');
    }),
  ]);
}
