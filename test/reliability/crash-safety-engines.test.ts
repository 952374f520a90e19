// Crash safety (see helpers/crash-safety.ts) on the local engine and a dockerd of our own reached with driver none.
//   RELIABILITY_CRASH_KILLS (default 10) kills.
import { describeCrashSafety, type CrashMachines } from './helpers/crash-safety.js';
import { startOwnDockerd, type OwnDockerd } from './helpers/own-dockerd.js';
import { localMachine, noneMachine } from './helpers/project.js';

describeCrashSafety(
  'local + own dockerd',
  async (): Promise<CrashMachines> => {
    const dd: OwnDockerd = await startOwnDockerd('crash');
    return { machines: [localMachine('local'), noneMachine('own', dd.url, dd.host)], dispose: () => dd.dispose() };
  },
  {
    kills: Number(process.env.RELIABILITY_CRASH_KILLS ?? 10),
  },
);

// ---- Three sandbox machines (namespace + sshd + dockerd each, mutual TLS), created from nothing every cycle ----
