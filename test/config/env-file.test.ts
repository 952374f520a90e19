// .env lines as Compose reads them: comments, export, quotes, escapes, inline comments, interpolation.
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/config/env-file.js';

const shell = (name: string): string | undefined => ({ HOME: '/home/me' })[name];

describe('parseEnvFile', () => {
  it.each([
    ['a plain value', 'A=b', 'b'],
    ['spaces around = and the value trimmed', 'A =  b c  ', 'b c'],
    ['export prefix', 'export A=b', 'b'],
    ['an empty value', 'A=', ''],
    ['an inline comment after a space', 'A=b # note', 'b'],
    ['a # with no space before it is part of the value', 'A=b#c', 'b#c'],
    ['single quotes are literal', "A='$HOME \\n ${X}'", '$HOME \\n ${X}'],
    ['an escaped quote in single quotes', "A='Let\\'s go'", "Let's go"],
    ['a comment after a single-quoted value', "A='x # y' # note", 'x # y'],
    ['double-quoted escapes', 'A="a\\nb\\t\\"c\\" \\\\"', 'a\nb\t"c" \\'],
    ['a comment after a double-quoted value', 'A="x # y" # note', 'x # y'],
    ['double quotes spanning lines', 'A="one\ntwo"', 'one\ntwo'],
    ['interpolation in an unquoted value', 'A=$HOME/data', '/home/me/data'],
    ['interpolation in double quotes', 'A="${HOME}/x"', '/home/me/x'],
    ['\\$ in double quotes is a literal $', 'A="\\$HOME"', '$HOME'],
    ['$$ is a literal $', 'A=pa$$word', 'pa$word'],
    ['an unset name becomes empty', 'A=x${NOPE}y', 'xy'],
    ['a default for an unset name', 'A=${NOPE:-d}', 'd'],
    ['earlier lines are visible', 'B=1\nA=${B}2', '12'],
  ])('%s', (_name, text, want) => {
    const parsed = parseEnvFile(text, shell);
    expect(parsed).toMatchObject({ bad: [], errors: [] });
    expect(parsed.vars.A).toBe(want);
  });

  it('takes values literally when not interpolating (container env_file, --var-file)', () => {
    expect(parseEnvFile('A=$HOME\nB="\\$x"').vars).toEqual({ A: '$HOME', B: '$x' });
  });

  it('reports bad lines by number, and ${X:?msg} by line', () => {
    const parsed = parseEnvFile('A=1\nnot a line\nB="unclosed\nC=${NOPE:?needed}\n', shell);
    expect(parsed.bad).toEqual([2, 3]);
    const p2 = parseEnvFile('A=1\nC=${NOPE:?needed}\n', shell);
    expect(p2.errors).toEqual([{ line: 2, message: "variable 'NOPE' is not set: needed" }]);
    expect(parseEnvFile("A='x' y").bad).toEqual([1]);
  });
});
