// A sensitive value in a string command stays whole and literal; numbers a sensitive value became are known,
// so output can mask them.
import { describe, expect, it } from 'vitest';
import { HEAD, load } from './helpers.js';

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
