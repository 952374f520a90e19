// Rows for `mfile ls`: NAME DRIVER STATE URL DOCKER ERROR, from the state and (when asked) a status check.
import type { MachineRecord, MachineStatus, State } from '../../model/index.js';

export interface MachineRow {
  name: string;
  driver: string;
  /** The driver's status when checked, else the record's status. */
  state: MachineStatus | MachineRecord['status'];
  url: string;
  docker: string;
  error: string;
}

export type StatusProbe = (record: MachineRecord) => Promise<{ status: MachineStatus; detail?: string }>;

export async function listMachines(state: State, probe?: StatusProbe): Promise<MachineRow[]> {
  const records = Object.values(state.machines).sort((a, b) => a.name.localeCompare(b.name));
  return Promise.all(
    records.map(async (r) => {
      let st: MachineRow['state'] = r.status;
      let error = r.status === 'tainted' ? 'create failed: tainted' : '';
      if (probe && r.status === 'created') {
        try {
          const s = await probe(r);
          st = s.status;
          if (s.detail && s.status !== 'running') error = s.detail;
        } catch (e) {
          st = 'error';
          error = (e as Error).message;
        }
      }
      // The power rule: say why apply leaves it stopped.
      if (r.hold) error = `held stopped by 'mfile ${r.hold.verb}' at ${r.hold.at}${error ? `; ${error}` : ''}`;
      return { name: r.name, driver: r.driver, state: st, url: r.engineUrl ?? '', docker: r.dockerVersion ?? '', error };
    }),
  );
}

export function renderMachineTable(rows: MachineRow[]): string {
  const head = ['NAME', 'DRIVER', 'STATE', 'URL', 'DOCKER', 'ERROR'];
  const cells = rows.map((r) => [r.name, r.driver, r.state, r.url, r.docker, r.error]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), ...cells.map(line)].join('\n') + '\n';
}
