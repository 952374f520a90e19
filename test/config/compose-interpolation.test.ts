// Compose's interpolation forms in machines.yml, the .env beside it, and the order values are taken in.
import { describe, expect, it } from 'vitest';
import type { LoadOptions } from '../../src/config/index.js';
import { HEAD, issues, load } from './helpers.js';

/** machines.yml whose one environment value is `text` (line 9, column 10). */
const withValue = (text: string): string => `${HEAD}containers:\n  a:\n    image: x\n    environment:\n      V: ${JSON.stringify(text)}\n`;

async function value(text: string, opts: Partial<LoadOptions> = {}, files: Record<string, string> = {}): Promise<unknown> {
  return (await load(withValue(text), opts, files)).containers.a.environment.V;
}

const SET = { vars: { S: 'set', E: '' } };

describe('Compose interpolation forms', () => {
  it.each([
    ['$$ is one literal $', 'pid $$ and $$(cat /run/secrets/x)', {}, 'pid $ and $(cat /run/secrets/x)'],
    ['$${ is a literal ${', '$${NOT_A_VAR}', {}, '${NOT_A_VAR}'],
    ['unbraced $NAME', 'a-$S-b', SET, 'a-set-b'],
    ['$ before anything else stays', 'cost $5 and $', {}, 'cost $5 and $'],
    ['${X:-d} when unset', '${U:-d}', SET, 'd'],
    ['${X:-d} when empty', '${E:-d}', SET, 'd'],
    ['${X:-d} when set', '${S:-d}', SET, 'set'],
    ['${X-d} when unset', '${U-d}', SET, 'd'],
    ['${X-d} when empty', '${E-d}', SET, ''],
    ['${X:+alt} when set', '${S:+alt}', SET, 'alt'],
    ['${X:+alt} when empty', '${E:+alt}', SET, ''],
    ['${X:+alt} when unset', '${U:+alt}', SET, ''],
    ['${X+alt} when empty', '${E+alt}', SET, 'alt'],
    ['${X+alt} when unset', '${U+alt}', SET, ''],
    ['${X:?msg} when set', '${S:?need S}', SET, 'set'],
    ['${X?msg} when empty', '${E?need E}', SET, ''],
    ['a nested default', '${U:-${S}-x}', SET, 'set-x'],
    ['${env:NAME:-d} keeps its mfile form', '${env:NOPE:-fallback}', {}, 'fallback'],
  ])('%s', async (_name, text, opts, want) => {
    expect(await value(text, opts)).toBe(want);
  });

  it.each([
    ['${X:?msg} unset', '${U:?set U in .env}', "machines.yml:9:10: variable 'U' is not set: set U in .env"],
    ['${X:?msg} empty', '${E:?E must not be empty}', "machines.yml:9:10: variable 'E' is empty: E must not be empty"],
    ['${X?msg} unset', '${U?U is required}', "machines.yml:9:10: variable 'U' is not set: U is required"],
    ['${X?} with no message', '${U?}', "machines.yml:9:10: variable 'U' is not set: a value is required"],
    [
      'unbraced $NAME unset',
      'x$NOPE',
      "machines.yml:9:10: undefined variable 'NOPE': pass --var NOPE=VALUE, --var-file FILE or --var-stdin NOPE, set MFILE_VAR_NOPE or NOPE in the environment, or add NOPE=VALUE to .env, or declare it under variables with a default",
    ],
    ['unterminated', 'a ${S', "machines.yml:9:10: unterminated '${' in 'a ${S': close it with '}', or write $${ for a literal ${"],
  ])('%s is an error at FILE:LINE:COL', async (_name, text, want) => {
    expect(await issues(withValue(text), SET)).toEqual([want]);
  });

  it('masks a sensitive value quoted in a ${X:?msg} message', async () => {
    const yaml = `${HEAD}variables:\n  pw: { sensitive: true }\ncontainers:\n  a:\n    image: x\n    environment:\n      V: "\${U:?not \${pw}}"\n`;
    const found = await issues(yaml, { vars: { pw: 'hunter22' } });
    expect(found).toEqual(["machines.yml:11:10: variable 'U' is not set: not (sensitive)"]);
  });
});

describe('where a value comes from', () => {
  const yaml = `${HEAD}variables:\n  tz: { default: from-default }\ncontainers:\n  a:\n    image: x\n    environment:\n      V: \${tz}\n`;
  const tz = async (opts: Partial<LoadOptions>, dotenv?: string): Promise<unknown> =>
    (await load(yaml, opts, dotenv === undefined ? {} : { '.env': dotenv })).containers.a.environment.V;

  it.each([
    ['the declared default last', {}, undefined, 'from-default'],
    ['.env over the default', {}, 'tz=from-dotenv\n', 'from-dotenv'],
    ['the shell environment over .env', { env: { tz: 'from-shell' } }, 'tz=from-dotenv\n', 'from-shell'],
    ['MFILE_VAR_ over the shell environment', { env: { tz: 'from-shell', MFILE_VAR_tz: 'from-mfile-var' } }, 'tz=from-dotenv\n', 'from-mfile-var'],
    ['--var (and --var-file, --var-stdin) over all', { vars: { tz: 'from-flag' }, env: { MFILE_VAR_tz: 'x', tz: 'y' } }, 'tz=z\n', 'from-flag'],
  ])('%s', async (_name, opts, dotenv, want) => {
    expect(await tz(opts, dotenv)).toBe(want);
  });

  it('fills an undeclared ${TZ} from .env, as a compose.yaml project expects', async () => {
    expect(await value('${TZ}/${DATA_DIR:-/srv}', {}, { '.env': '# project settings\nexport TZ="Europe/Paris" # local time\nDATA_DIR=\n' })).toBe('Europe/Paris//srv');
  });

  it('reports a bad .env line as .env:LINE:1 without quoting it', async () => {
    const found = await issues(withValue('x'), {}, { '.env': 'TZ=UTC\nthis is s3cret\n' });
    expect(found).toEqual(['.env:2:1: expected NAME=value (a .env holds one variable per line)']);
  });

  it('masks a sensitive variable whose value comes from .env', async () => {
    const y = `${HEAD}variables:\n  pw: { sensitive: true }\ncontainers:\n  a:\n    image: x\n    environment:\n      PW: \${pw}\n`;
    const d = await load(y, {}, { '.env': "pw='p@ss $word'\n" });
    expect(d.containers.a.environment.PW).toBe('p@ss $word');
    expect(d.sensitiveValues).toEqual(['p@ss $word']);
    expect(d.variables.pw).toEqual({ value: 'p@ss $word', sensitive: true });
  });
});
