// Text and JSON of a refresh-only plan (drift), in the words of Terraform's "Objects have changed outside".
import type { Drift, DriftEntry } from './refresh-only.js';
import { driftHasChanges } from './refresh-only.js';
import { shortId } from './image-ref.js';
import { terminalLine } from '../terminal-text.js';

const HEADLINE: Record<DriftEntry['change'], string> = {
  forget: 'has been deleted',
  record: 'is not in the state',
  update: 'has changed',
  note: 'changed outside mfile',
};
const GLYPH: Record<DriftEntry['change'], string> = { forget: '  -', record: '  +', update: '  ~', note: '  !' };

export function driftCounts(drift: Drift): { record: number; update: number; forget: number } {
  const count = (c: DriftEntry['change']): number => drift.entries.filter((e) => e.change === c).length;
  return { record: count('record'), update: count('update'), forget: count('forget') };
}

export function renderDriftText(drift: Drift): string {
  const lines: string[] = [];
  if (drift.entries.length > 0) {
    lines.push('Note: Objects have changed outside of mfile', '', 'mfile detected the following changes made outside of mfile since the last apply:', '');
    for (const e of drift.entries) {
      const address = terminalLine(e.address);
      lines.push(`  # ${address} ${HEADLINE[e.change]}`);
      for (const r of e.reasons) lines.push(`  # (${terminalLine(r)})`);
      if (e.change === 'note') lines.push('  # (the state keeps no field for this: nothing is recorded; mfile apply repairs it)');
      lines.push(`${GLYPH[e.change]} ${address}`);
      if (e.change === 'record' && e.after?.id) lines.push(`      + id = "${shortId(e.after.id)}"`);
      if (e.change === 'update' && e.before && e.after && e.before.id !== e.after.id) lines.push(`      ~ id = "${shortId(e.before.id ?? '')}" -> "${shortId(e.after.id ?? '')}"`);
      lines.push('');
    }
  }
  if (driftHasChanges(drift)) {
    const c = driftCounts(drift);
    lines.push(
      'This is a refresh-only plan: mfile changes no machine to undo these. `mfile apply --refresh-only` records them in the state.',
      '',
      `Refresh-only: ${c.record} to record, ${c.update} to update, ${c.forget} to forget in the state.`,
    );
  } else {
    lines.push('No changes. The state matches what is running.');
  }
  for (const w of drift.warnings) lines.push('', `Warning: ${terminalLine(w)}`);
  return `${lines.join('\n')}\n`;
}

export function driftToJson(drift: Drift): Record<string, unknown> {
  return {
    refresh_only: true,
    changes: drift.entries.map((e) => ({ address: e.address, change: e.change, reasons: e.reasons, before: e.before, after: e.after })),
    summary: driftCounts(drift),
    warnings: drift.warnings,
  };
}
