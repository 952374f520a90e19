// mfile ps [--json] [NAME...]: the project's containers on every machine, live from the engines.
import { Command } from 'commander';
import type Docker from 'dockerode';
import { maskText } from '../../masking.js';
import { addConfigOptions, out, type ConfigOptions } from '../common.js';
import { openLiveProject } from '../live-project.js';
import { parseSelector, select, type LiveContainer } from '../project-containers.js';

interface PsRow {
  name: string;
  machine: string;
  image: string;
  state: string;
  health: string;
  ports: string[];
}

/** The engine writes health into the status text only: "Up 3 seconds (health: starting)". */
function health(status: string): string {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status);
  if (!m) return '';
  return m[1] === 'health: starting' ? 'starting' : m[1];
}

function ports(list: Docker.Port[]): string[] {
  const shown = list.map((p) => (p.PublicPort ? `${p.IP ? `${p.IP.includes(':') ? `[${p.IP}]` : p.IP}:` : ''}${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`));
  return [...new Set(shown)].sort();
}

function row(c: LiveContainer): PsRow {
  return { name: c.name, machine: c.machine, image: c.info.Image, state: c.info.State, health: health(c.info.Status), ports: ports(c.info.Ports ?? []) };
}

function table(rows: PsRow[]): string[] {
  const cells = [['NAME', 'MACHINE', 'IMAGE', 'STATE', 'HEALTH', 'PORTS'], ...rows.map((r) => [r.name, r.machine, r.image, r.state, r.health, r.ports.join(', ')])];
  const widths = cells[0].map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells.map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join('   ').trimEnd());
}

export function psCommand(): Command {
  return addConfigOptions(new Command('ps'))
    .description("the project's containers on every machine, live from the engines: NAME MACHINE IMAGE STATE HEALTH PORTS")
    .argument('[NAME...]', 'containers to show: NAME or NAME[MACHINE] (default: all)')
    .option('--json', 'one JSON array of rows')
    .action(async (names: string[], opts: ConfigOptions & { json?: boolean }) => {
      const selectors = names.map(parseSelector);
      const { list, conns } = await openLiveProject(opts);
      try {
        const rows = select(list.containers, selectors).map(row);
        if (opts.json) process.stdout.write(maskText(JSON.stringify(rows, null, 2)) + '\n');
        else for (const line of table(rows)) out(line);
      } finally {
        await conns.closeAll();
      }
    });
}
