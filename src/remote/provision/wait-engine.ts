// Poll the engine until it answers (a freshly started dockerd takes ~2 s), with a total timeout naming the machine.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { DriverError } from '../../errors.js';

export async function waitForEngine(
  machine: string,
  docker: Docker,
  where: string,
  opts: { timeoutMs?: number; signal?: AbortSignal; diagnostics?: () => Promise<string> } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      // @types/dockerode lacks ping's options; docker-modem honours abortSignal.
      await (docker as unknown as { ping(o: object): Promise<unknown> }).ping({ abortSignal: AbortSignal.timeout(3000) });
      return;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      const diag = opts.diagnostics ? await opts.diagnostics().catch(() => '') : '';
      throw new DriverError(
        machine,
        `Docker engine at ${where} did not answer within ${Math.round(timeoutMs / 1000)}s: ${last}` +
          (diag ? `\nlast lines of the engine log:\n${diag.trim()}` : ''),
      );
    }
    await sleep(50, undefined, { signal: opts.signal });
  }
}
