// Terraform-style plan text. Deterministic (nodes in address order, attributes sorted): tests compare it whole.
import pc from 'picocolors';
import type { Action, Plan, PlanNode, ReplaceStrategy } from '../model/index.js';
import { diffAttributes } from './diff.js';
import { buildLines } from './render-build.js';
import { showKey, shownValue, type Shown } from './render-value.js';
import { terminalLine } from '../terminal-text.js';
import { planHasChanges } from './summary.js';

export interface RenderTextOptions {
  color?: boolean;
}

type Paint = (s: string) => string;

const HEADLINE: Record<Exclude<Action, 'noop'>, string> = {
  create: 'will be created',
  update: 'will be updated in-place',
  replace: 'must be replaced',
  delete: 'will be destroyed',
  read: 'will be read during apply',
};

export function renderPlanText(plan: Plan, opts: RenderTextOptions = {}): string {
  const c = pc.createColors(opts.color === true);
  const glyphs: Record<Exclude<Action, 'noop'>, string> = {
    create: c.green('  +'),
    update: c.yellow('  ~'),
    replace: `${c.red('-')}/${c.green('+')}`,
    delete: c.red('  -'),
    read: c.cyan(' <='),
  };
  const lines: string[] = [];
  const changes = planHasChanges(plan.summary);
  const shown = changes ? plan.nodes.filter((n) => n.action !== 'noop') : [];
  if (shown.length > 0) {
    lines.push('mfile will perform the following actions:', '');
    for (const n of shown) {
      const action = n.action as Exclude<Action, 'noop'>;
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
      lines.push(...attributeLines(n, c));
      lines.push('');
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
  return `${lines.join('\n')}\n`;
}

/** Creates list their attributes; updates and replaces list what changed; deletes and reads list nothing. */
function attributeLines(n: PlanNode, c: ReturnType<typeof pc.createColors>): string[] {
  const units = n.kind === 'container';
  const rows: Row[] = [];
  if (n.action === 'create' && n.after) {
    for (const k of Object.keys(n.after).sort()) rows.push({ paint: c.green, sign: '+', key: showKey(k), value: shownValue(n.after[k], k, units) });
  } else if ((n.action === 'update' || n.action === 'replace') && n.before && n.after) {
    for (const ch of diffAttributes(n.before, n.after)) {
      const key = terminalLine(ch.path);
      const before = ch.before === undefined ? undefined : shownValue(ch.before, ch.path, units);
      const after = ch.after === undefined ? undefined : shownValue(ch.after, ch.path, units);
      if (!before) rows.push({ paint: c.green, sign: '+', key, value: after! });
      else if (!after) rows.push({ paint: c.red, sign: '-', key, value: before });
      else if (before.kind === 'inline' && after.kind === 'inline') {
        rows.push({ paint: c.yellow, sign: '~', key, value: { kind: 'inline', text: `${before.text} -> ${after.text}` } });
      } else {
        // A block cannot be followed by "->": the old value goes out, the new one comes in.
        rows.push({ paint: c.red, sign: '-', key, value: before }, { paint: c.green, sign: '+', key, value: after });
      }
    }
  }
  const width = Math.max(0, ...rows.map((r) => r.key.length));
  const out: string[] = [];
  for (const r of rows) rowLines(6, r, width, out);
  return out;
}

interface Row {
  paint: Paint;
  sign: string;
  key: string;
  value: Shown;
}

/** `+ key = value`; a map or a long list opens a block whose lines carry the same sign, Terraform-style. */
function rowLines(indent: number, r: Row, width: number, out: string[]): void {
  // Lines go straight into OUT: a 14,000-node plan made a small array (and a copied row) per map entry.
  const pad = ' '.repeat(indent);
  const sign = r.paint(r.sign);
  const head = `${pad}${sign} ${r.key.padEnd(width)} = `;
  const v = r.value;
  if (v.kind === 'inline') {
    out.push(`${head}${v.text}`);
    return;
  }
  const close = ' '.repeat(indent + 2);
  if (v.kind === 'list') {
    out.push(`${head}[`);
    for (const i of v.items) out.push(`${pad}    ${sign} ${i},`);
    out.push(`${close}]`);
    return;
  }
  let inner = 0;
  for (const [k] of v.rows) if (k.length > inner) inner = k.length;
  out.push(`${head}{`);
  for (const [key, value] of v.rows) rowLines(indent + 4, { paint: r.paint, sign: r.sign, key, value }, inner, out);
  out.push(`${close}}`);
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
