// What an editor shows for machines.yml: the real yaml-language-server, started over stdio with the schema that
// `mfile schema` prints, asked for completion, hover and diagnostics on a real file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mfile } from '../helpers/cli.js';
import { LspClient } from '../helpers/lsp-client.js';

interface Diagnostic {
  message: string;
  range: { start: { line: number; character: number } };
}
interface Published {
  uri: string;
  diagnostics: Diagnostic[];
}

const FILE = [
  'version: 1',
  'machines:',
  '  m1:',
  '    driver: local',
  'containers:',
  '  web:',
  '    image: nginx:1.27',
  '    mem_limit: 512m',
  '    colour: blue',
  '    profiles: [debug]',
  '    restart: ',
  '',
].join('\n');

describe('machines.yml in an editor (yaml-language-server)', () => {
  let lsp: LspClient;
  let uri: string;
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'mfile-editor-'));
    const schema = mfile(['schema']);
    expect(schema.code, schema.stderr).toBe(0);
    writeFileSync(join(dir, 'machines.schema.json'), schema.stdout);
    const file = join(dir, 'machines.yml');
    writeFileSync(file, FILE);
    uri = pathToFileURL(file).href;

    const server = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');
    const yaml = {
      validate: true,
      hover: true,
      completion: true,
      schemas: { [pathToFileURL(join(dir, 'machines.schema.json')).href]: 'machines.yml' },
    };
    lsp = new LspClient(process.execPath, [server, '--stdio'], { yaml });
    await lsp.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: {
        workspace: { configuration: true },
        textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, completion: {} },
      },
    });
    lsp.notify('initialized', {});
    lsp.notify('workspace/didChangeConfiguration', { settings: { yaml } });
    const published = lsp.waitFor<Published>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0);
    lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: FILE } });
    diagnostics = (await published).diagnostics;
  }, 60_000);

  afterAll(async () => {
    await lsp?.close();
  });

  it('completes the restart policies at `restart: `', async () => {
    const list = await lsp.request<{ items: { label: string }[] } | { label: string }[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 10, character: 13 },
    });
    const labels = (Array.isArray(list) ? list : list.items).map((i) => i.label);
    // `no` is inserted quoted, so that YAML 1.1 readers do not take it for false.
    expect(labels).toEqual(expect.arrayContaining(['"no"', 'always', 'on-failure', 'unless-stopped']));
  });

  it('shows the description of mem_limit on hover, with an example', async () => {
    const hover = await lsp.request<{ contents: { value: string } }>('textDocument/hover', {
      textDocument: { uri },
      position: { line: 7, character: 6 },
    });
    expect(hover.contents.value).toContain('Memory limit');
    expect(hover.contents.value).toContain('mem_limit: 512m');
  });

  it('flags an unknown key on its line', () => {
    const colour = diagnostics.filter((d) => d.range.start.line === 8).map((d) => d.message);
    expect(colour).toEqual(expect.arrayContaining([expect.stringMatching(/colour is not allowed/)]));
  });

  it('flags a refused Compose key with the reason mfile gives', () => {
    const profiles = diagnostics.filter((d) => d.range.start.line === 9).map((d) => d.message);
    expect(profiles).toContain(
      'profiles: not supported: every container in machines.yml is deployed; remove it or use a separate file',
    );
  });
});
