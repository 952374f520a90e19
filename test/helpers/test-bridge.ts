// A bridge of a test dockerd's own. A dockerd started with `--bridge=none` deletes the root namespace's
// docker0 (the default engine's bridge), so test engines get a private bridge instead.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TestBridge {
  name: string;
  remove(): void;
}

export function createTestBridge(): TestBridge {
  const id = randomBytes(4).toString('hex');
  const name = `mft${id}`;
  const octet = 16 + (parseInt(id.slice(0, 2), 16) % 200); // 172.31.16-215.0/24: away from docker's pools
  const ip = (args: string[]): void => {
    execFileSync('ip', args, { stdio: 'ignore' });
  };
  ip(['link', 'add', name, 'type', 'bridge']);
  ip(['addr', 'add', `172.31.${octet}.1/24`, 'dev', name]);
  ip(['link', 'set', name, 'up']);
  return {
    name,
    remove() {
      try {
        ip(['link', 'del', name]);
      } catch {
        // already gone
      }
    },
  };
}
