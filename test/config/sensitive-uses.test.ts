// A sensitive value in a string command stays whole and literal; numbers a sensitive value became are known,
// so output can mask them.
import { describe, expect, it } from 'vitest';
import { HEAD, issues, load } from './helpers.js';

const yaml = `${HEAD}variables:
  pw: { sensitive: true }
  shares: { sensitive: true }
  grace: { sensitive: true }
  mem: { sensitive: true }
  plain: { default: "a b" }
containers:
  app:
    image: busybox
    command: sh -c 'echo hi' \${pw} "\${pw}" --plain \${plain}
    entrypoint: "env X=\${pw}"
    cpu_shares: \${shares}
    stop_grace_period: \${grace}s
    mem_limit: \${mem}m
    ulimits:
      nofile: \${shares}
`;

describe('sensitive values in a container', () => {
  it.each([
    ['two words', ['two words', 'two words']],
    ['back\\slash and \'quote" $x', ['back\\slash and \'quote" $x', 'back\\slash and \'quote" $x']],
  ])('keep the value %j whole in a string command and entrypoint (plain values still split)', async (pw, expected) => {
    const d = await load(yaml, { vars: { pw, shares: '1024', grace: '7', mem: '300' } });
    const app = d.containers.app;
    expect(app.command).toEqual(['sh', '-c', 'echo hi', ...expected, '--plain', 'a', 'b']);
    expect(app.entrypoint).toEqual(['env', `X=${pw}`]);
  });

  it('list the numbers they became: counts, durations in ns, sizes in bytes', async () => {
    const d = await load(yaml, { vars: { pw: 'p', shares: '1024', grace: '7', mem: '300' } });
    expect(d.containers.app.cpu_shares).toBe(1024);
    expect(d.sensitiveNumbers).toEqual(expect.arrayContaining([1024, 7e9, 300 * 1024 * 1024]));
  });
});

describe('a sensitive value in a machine address', () => {
  it.each([
    ['generic host', 'generic: { host: "${s}" }', 'machines.m1.generic.host'],
    ['generic identity file', 'generic: { host: h.example, identity_file: "/keys/${s}" }', 'machines.m1.generic.identity_file'],
    ['generic jump user', 'generic: { host: h.example, jump: { host: j.example, user: "${s}" } }', 'machines.m1.generic.jump.user'],
    ['none url', 'none: { url: "tcp://${s}:2376" }', 'machines.m1.none.url'],
  ])('is refused in the %s: the state keeps the address', async (_what, block, where) => {
    const driver = block.split(':')[0];
    const yaml = `version: 1\nvariables: { s: { sensitive: true } }\nmachines:\n  m1:\n    driver: ${driver}\n    ${block}\n`;
    const lines = await issues(yaml, { vars: { s: 'hidden-value' } });
    expect(lines.join('\n')).toContain(`${where}: a sensitive value cannot be used here`);
    expect(lines.join('\n')).not.toContain('hidden-value');
  });

  it('is accepted in engine labels and daemon options (the state keeps them masked)', async () => {
    const yaml = `version: 1\nvariables: { s: { sensitive: true } }\nmachines:\n  m1:\n    driver: generic\n    generic: { host: h.example }\n    engine: { labels: { k: "\${s}" } }\n`;
    expect(await issues(yaml, { vars: { s: 'hidden-value' } })).toEqual([]);
  });
});
