// Adds imported machines to machines.yml through the yaml Document API, so what is there (comments, order,
// quoting) stays as written. A missing file is started as `version: 1`.
import { readFile } from 'node:fs/promises';
import { isMap, parseDocument, type Document, type YAMLMap } from 'yaml';
import { UsageError } from '../../errors.js';

export interface YamlMachine {
  name: string;
  /** The machine's block: driver, its options, tls files. */
  block: Record<string, unknown>;
  comment: string;
}

async function readOrStart(file: string): Promise<Document> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${file}: cannot read: ${(err as Error).message}`);
    text = 'version: 1\n';
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UsageError(`${file}: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (!isMap(doc.contents)) throw new UsageError(`${file}: the top level is not a mapping`);
  return doc;
}

/** The new text of `file` with `machines` added; refuses a name machines.yml already has. */
export async function addMachines(file: string, machines: YamlMachine[]): Promise<string> {
  const doc = await readOrStart(file);
  let list = doc.get('machines', true);
  if (list === undefined || list === null) {
    doc.set('machines', doc.createNode({}));
    list = doc.get('machines', true);
  }
  if (!isMap(list)) throw new UsageError(`${file}: machines is not a mapping`);
  const map = list as YAMLMap;
  // `machines: {}` is flow style; block style reads better once machines are in it.
  if (map.items.length === 0) map.flow = false;
  for (const m of machines) {
    if (map.has(m.name)) throw new UsageError(`${file}: machine ${m.name} is already there; remove it or import the others by name`);
    const key = doc.createNode(m.name);
    key.commentBefore = ` ${m.comment}`; // before the key, where a reader looks
    map.add(doc.createPair(key, m.block));
  }
  return doc.toString();
}
