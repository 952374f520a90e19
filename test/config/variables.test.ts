// ${name} from --var, then MFILE_VAR_name, then the default; ${env:NAME}; $${ escapes; sensitive values.
import { describe, expect, it } from 'vitest';
import { HEAD, issues, load } from './helpers.js';

const yaml = `version: 1
variables:
  tag: { default: "1.0" }
  port: { default: 8080 }
  password: { sensitive: true, default: hunter2 }
machines:
  m1:
    driver: local
containers:
  web:
    image: "nginx:\${tag}"
    ports: ["\${port}:80"]
    environment:
      PASSWORD: \${password}
      HOME_DIR: \${env:HOME}
      LITERAL: "$\${not_a_var} and $$ is one $"
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U $\${POSTGRES_USER}"]
      retries: \${port}
`;

describe('variables', () => {
  it('uses the declared default when nothing else is set', async () => {
    const d = await load(yaml, { env: { HOME: '/home/me' } });
    expect(d.containers.web.image).toBe('nginx:1.0');
    expect(d.containers.web.ports[0]).toEqual({ target: 80, published: '8080', protocol: 'tcp' });
    expect(d.variables.tag).toEqual({ value: '1.0', sensitive: false });
  });

  it('prefers --var over MFILE_VAR_ over the default', async () => {
    const env = { HOME: '/h', MFILE_VAR_tag: 'from-env', MFILE_VAR_port: '9090' };
    const d = await load(yaml, { env, vars: { tag: 'from-flag' } });
    expect(d.containers.web.image).toBe('nginx:from-flag');
    expect(d.containers.web.ports[0].published).toBe('9090');
  });

  it('reads ${env:NAME} from the environment and turns $${ into a literal ${', async () => {
    const d = await load(yaml, { env: { HOME: '/home/me' } });
    expect(d.containers.web.environment.HOME_DIR).toBe('/home/me');
    expect(d.containers.web.environment.LITERAL).toBe('${not_a_var} and $ is one $');
    expect(d.containers.web.healthcheck?.test).toEqual(['CMD-SHELL', 'pg_isready -U ${POSTGRES_USER}']);
  });

  it('gives an unquoted substitution the type its text has (retries: ${port} is a number)', async () => {
    const d = await load(yaml, { env: { HOME: '/h' } });
    expect(d.containers.web.healthcheck?.retries).toBe(8080);
  });

  it('collects the values of sensitive variables', async () => {
    const d = await load(yaml, { env: { HOME: '/h' }, vars: { password: 's3cret' } });
    expect(d.sensitiveValues).toEqual(['s3cret']);
    expect(d.variables.password).toEqual({ value: 's3cret', sensitive: true });
    expect(d.containers.web.environment.PASSWORD).toBe('s3cret');
  });

  it('changes the config digest when a variable value changes', async () => {
    const a = await load(yaml, { env: { HOME: '/h' } });
    const b = await load(yaml, { env: { HOME: '/h' }, vars: { tag: '2.0' } });
    const c = await load(yaml, { env: { HOME: '/h' } });
    expect(a.configDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(a.configDigest).not.toBe(b.configDigest);
    expect(a.configDigest).toBe(c.configDigest);
  });

  it('reports an unset environment variable and a declared variable without a value', async () => {
    const bad = `${HEAD}variables:\n  token: { sensitive: true }\ncontainers:\n  a:\n    image: x\n    environment:\n      T: \${token}\n      U: \${env:NOPE}\n      V: "\${bad name}"\n`;
    expect(await issues(bad)).toEqual([
      "machines.yml:11:10: variable 'token' has no value: pass --var token=VALUE, --var-file FILE or --var-stdin token, set MFILE_VAR_token or token in the environment, or add token=VALUE to .env, or give it a default",
      "machines.yml:12:10: environment variable 'NOPE' is not set (used as ${env:NOPE})",
      "machines.yml:13:10: bad reference '${bad name}': use ${name}, ${name:-default}, ${env:NAME}, or $$ for a literal $",
    ]);
  });
});
