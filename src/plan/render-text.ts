// Terraform-style plan text. Deterministic (nodes in address order, attributes sorted): tests compare it whole.
import pc from 'picocolors';
import type { Action, Plan, PlanNode, ReplaceStrategy } from '../model/index.js';
import { diffAttributes } from './diff.js';
import { buildLines } from './render-build.js';
import { LineChunks } from './line-chunks.js';
import { isMap, listGoesInline, listItems, scalar, showKey, shownValue } from './render-value.js';
import { terminalLine } from '../terminal-text.js';
import { planHasChanges } from './summary.js';

export interface RenderTextOptions {
  color?: boolean;
}

const HEADLINE: Record<Exclude<Action, 'noop'>, string> = {
  create: 'will be created',
  update: 'will be updated in-place',
  replace: 'must be replaced',
  delete: 'will be destroyed',
  read: 'will be read during apply',
};

export function renderPlanText(plan: Plan, opts: RenderTextOptions = {}): string {
  const parts: string[] = [];
  renderPlanTextTo(plan, (chunk) => parts.push(chunk), opts);
  return parts.join('');
}

/** Text gathered before it goes to `emit`: a 14,000-node plan is never held whole. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The plan text, in chunks of whole lines (each ending in a newline) given to `emit` as they are made: the CLI
 * writes them as they come instead of holding a 7 MB text and its 300,000 lines at once. Joined, the chunks
 * are renderPlanText's text.
 */
export function renderPlanTextTo(plan: Plan, emit: (chunk: string) => void, opts: RenderTextOptions = {}): void {
  const c = pc.createColors(opts.color === true);
  const glyphs: Record<Exclude<Action, 'noop'>, string> = {
    create: c.green('  +'),
    update: c.yellow('  ~'),
    replace: `${c.red('-')}/${c.green('+')}`,
    delete: c.red('  -'),
    read: c.cyan(' <='),
  };
  const lines = new LineChunks();
  const flush = (): void => {
    if (lines.length > 0) emit(lines.take());
  };
  const changes = planHasChanges(plan.summary);
  if (changes && plan.nodes.some((n) => n.action !== 'noop')) {
    lines.push('mfile will perform the following actions:', '');
    for (const n of plan.nodes) {
      if (n.action === 'noop') continue;
      const action = n.action;
      const address = terminalLine(n.address);
      lines.push(`  # ${c.bold(address)} ${HEADLINE[action]}`);
      for (const r of n.reasons) lines.push(`  # (${terminalLine(r)})`);
      for (const b of buildLines(n)) lines.push(`  # ${b}`);
      if (n.replaceStrategy) lines.push(`  # replace: ${terminalLine(strategyText(n.replaceStrategy))}`);
      if (n.rolling) lines.push(`  # ${terminalLine(rollingText(n))}`);
      if (n.removedWithMachine) lines.push(`  # (removed with machine.${terminalLine(n.machine)}: its driver removes the host with everything on it)`);
      // What the create will choose on this computer (a VM's accelerator), as refresh found it.
      const choice = n.createChoices ? ` (${terminalLine(n.createChoices.summary)})` : '';
      lines.push(`${glyphs[action]} ${address}${choice}`);
      attributeLines(n, c, lines);
      lines.push('');
      if (lines.length >= CHUNK_CHARS) flush();
    }
  }
  const adopted = plan.nodes.filter((n) => n.action === 'noop' && n.reasons.some((r) => r.startsWith('adopted')));
  if (adopted.length > 0) {
    lines.push(`Found ${adopted.length} object${adopted.length === 1 ? '' : 's'} by ${adopted.length === 1 ? 'its' : 'their'} labels that the state does not record: kept, not recreated.`);
  }
  // The power rule: a machine held by mfile stop/kill is left stopped, and the plan says so.
  for (const n of plan.nodes) {
    if (n.kind === 'machine' && n.action === 'noop' && n.reasons[0]?.startsWith('held stopped by')) {
      lines.push(`${c.bold(terminalLine(n.address))}: ${terminalLine(n.reasons[0])}`);
    }
  }
  const s = plan.summary;
  if (changes) lines.push(`${c.bold('Plan:')} ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`);
  else if (plan.destroy) lines.push(`${c.green(c.bold('No changes.'))} No objects need to be destroyed.`);
  else lines.push(`${c.green(c.bold('No changes.'))} Your machines match the configuration.`);
  for (const w of plan.warnings) lines.push('', `${c.yellow(c.bold('Warning:'))} ${terminalLine(w)}`);
  flush();
}

/** Creates list their attributes; updates and replaces list what changed; deletes and reads list nothing. */
function attributeLines(n: PlanNode, c: ReturnType<typeof pc.createColors>, out: LineChunks): void {
  const units = n.kind === 'container';
  if (n.action === 'create' && n.after) {
    mapLines(6, c.green('+'), n.after, '', units, out);
    return;
  }
  if ((n.action !== 'update' && n.action !== 'replace') || !n.before || !n.after) return;
  const rows: Row[] = [];
  for (const ch of diffAttributes(n.before, n.after)) {
    const key = terminalLine(ch.path);
    const added: Row = { sign: c.green('+'), key, value: ch.after, path: ch.path };
    const removed: Row = { sign: c.red('-'), key, value: ch.before, path: ch.path };
    if (ch.before === undefined) rows.push(added);
    else if (ch.after === undefined) rows.push(removed);
    else {
      const before = shownValue(ch.before, ch.path, units);
      const after = shownValue(ch.after, ch.path, units);
      if (before.kind === 'inline' && after.kind === 'inline') rows.push({ ...added, sign: c.yellow('~'), text: `${before.text} -> ${after.text}` });
      // A block cannot be followed by "->": the old value goes out, the new one comes in.
      else rows.push(removed, added);
    }
  }
  let width = 0;
  for (const r of rows) if (r.key.length > width) width = r.key.length;
  const pad = ' '.repeat(6);
  for (const r of rows) {
    const head = `${pad}${r.sign} ${r.key.padEnd(width)} = `;
    if (r.text !== undefined) out.push(`${head}${r.text}`);
    else valueLines(head, 6, r.sign, r.value, r.path, units, out);
  }
}

interface Row {
  /** The painted sign: +, - or ~. */
  sign: string;
  key: string;
  value: unknown;
  /** The attribute's dotted path (units and short forms follow it). */
  path: string;
  /** A one-line form given as it is (`before -> after`). */
  text?: string;
}

/**
 * A map's entries as aligned `SIGN key = value` lines, written straight from the value (a 14,000-node plan is
 * mostly creates: no layout object per value). A nested map or a long list opens a block whose lines carry the
 * same sign, Terraform-style.
 */
function mapLines(indent: number, sign: string, map: Record<string, unknown>, path: string, units: boolean, out: LineChunks): void {
  const keys = Object.keys(map).sort();
  const shown: string[] = new Array(keys.length);
  let width = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = (shown[i] = showKey(keys[i]));
    if (k.length > width) width = k.length;
  }
  const pad = spaces(indent);
  for (let i = 0; i < keys.length; i++) {
    const at = path === '' ? keys[i] : `${path}.${keys[i]}`;
    valueLines(`${pad}${sign} ${shown[i]}${spaces(width - shown[i].length)} = `, indent, sign, map[keys[i]], at, units, out);
  }
}

const spaceRuns: string[] = [];

function spaces(n: number): string {
  return (spaceRuns[n] ??= ' '.repeat(n));
}

/** One value after its `HEAD` (`SIGN key = `): on that line, or as a block closing at INDENT + 2. */
function valueLines(head: string, indent: number, sign: string, value: unknown, path: string, units: boolean, out: LineChunks): void {
  const close = spaces(indent + 2);
  if (isMap(value)) {
    if (Object.keys(value).length === 0) out.push(`${head}{}`);
    else {
      out.push(`${head}{`);
      mapLines(indent + 4, sign, value, path, units, out);
      out.push(`${close}}`);
    }
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${head}[]`);
      return;
    }
    const items = listItems(value, path, units);
    const text = `[${items.join(', ')}]`;
    if (listGoesInline(text, items)) out.push(`${head}${text}`);
    else {
      out.push(`${head}[`);
      for (const item of items) out.push(`${spaces(indent + 4)}${sign} ${item},`);
      out.push(`${close}]`);
    }
  } else out.push(`${head}${scalar(value, path, units)}`);
}

/** `rolling update: batch 2 of 3 (after container.web[a]), wait 10s first, monitor 5s, on failure rollback`. */
function rollingText(n: PlanNode): string {
  const r = n.rolling!;
  const after = [...(r.failureAction === 'continue' ? (n.runsAfter ?? []) : n.dependsOn.filter((d) => d.startsWith(`container.${n.name}[`)))];
  const parts = [`rolling update: batch ${r.batch} of ${r.batches}${after.length ? ` (after ${after.join(', ')})` : ''}`];
  if (r.delayMs > 0) parts.push(`wait ${seconds(r.delayMs)} first`);
  if (r.monitorMs > 0) parts.push(`monitor ${seconds(r.monitorMs)}`);
  parts.push(`on failure ${r.failureAction}`);
  return parts.join(', ');
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(3))}s`;

function strategyText(s: ReplaceStrategy): string {
  if (s.kind === 'stop-first') return `stop the old container first (${s.because.join(', ')})`;
  return 'start the new container first, then remove the old one';
}
