// Cloud objects carry the project and machine as labels (tags), so they are found again without the state:
// a rerun after a crash between a create request and the state write adopts what that request made instead
// of making a second one, and a remove finds what an unrecorded create left.
import { DriverError } from '../../errors.js';
import type { CloudApiError } from './api-error.js';

export const PROJECT_LABEL = 'mfile-project';
export const MACHINE_LABEL = 'mfile-machine';

export function ownerLabels(project: string, machine: string): Record<string, string> {
  return { [PROJECT_LABEL]: project, [MACHINE_LABEL]: machine };
}

/** `k=v,k2=v2`, the label-selector form (Hetzner's label_selector). */
export function labelSelector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export interface AdoptOptions<T> {
  machine: string;
  /** "server", "SSH key", "firewall": for messages. */
  kind: string;
  /** Everything that carries this machine's labels. */
  find: () => Promise<T[]>;
  create: () => Promise<T>;
  /** Keep a found object? (an SSH key with another public key is not ours to reuse). Default: yes. */
  fits?: (found: T) => boolean;
  /** Remove a found object that does not fit, before creating. */
  discard?: (found: T) => Promise<void>;
  /** How many times a create answered 5xx is tried again (after looking for what it may have made). */
  attempts?: number;
  log?: (line: string) => void;
}

export interface Adopted<T> {
  value: T;
  adopted: boolean;
}

/** The one object with this machine's labels, adopted if it exists, else created. Never a second one. */
export async function adoptOrCreate<T>(o: AdoptOptions<T>): Promise<Adopted<T>> {
  const attempts = o.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const found = await o.find();
    const keep = found.filter((f) => o.fits?.(f) ?? true);
    for (const f of found.filter((x) => !keep.includes(x))) await o.discard?.(f);
    if (keep.length > 1) {
      throw new DriverError(o.machine, `${keep.length} ${o.kind}s carry this machine's labels: remove all but one by hand, then run again`);
    }
    if (keep.length === 1) {
      o.log?.(`${o.machine}: adopting the ${o.kind} an earlier run created`);
      return { value: keep[0], adopted: true };
    }
    try {
      return { value: await o.create(), adopted: false };
    } catch (err) {
      // A 5xx to a create may still have made the object: look again before another try.
      if (!(err as Partial<CloudApiError>).retryable || attempt >= attempts) throw err;
      o.log?.(`${o.machine}: ${o.kind} create failed (${(err as Error).message}); looking for it before trying again`);
    }
  }
}
