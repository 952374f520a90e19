// A failed step's error is masked before it is cut to one line: a value with a line break leaves no piece behind.
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/index.js';
import type { StepHandler } from '../../src/apply/index.js';
import type { Connections } from '../../src/apply/connections.js';
import type { ProgressEvent } from '../../src/model/index.js';
import { desiredOf, freshState, memoryStore, node, planOf } from '../helpers/fixtures.js';

const SECRET = 'first-line-Kx81\nsecond-line-Qz27';

describe('applyPlan error masking', () => {
  it('shows (sensitive) where the engine echoed a multi-line value, in the event and the result', async () => {
    const events: ProgressEvent[] = [];
    const fail: StepHandler = {
      run: async () => {
        throw new Error(`unable to find user ${SECRET}: no matching entries in passwd file`);
      },
    };
    const desired = { ...desiredOf('t', {}), sensitiveValues: [SECRET] };
    const r = await applyPlan({
      plan: planOf([node('container.web[m1]', 'create')]),
      desired,
      store: memoryStore(),
      state: freshState(),
      parallelism: 1,
      perMachine: 1,
      sink: (e) => events.push(e),
      signal: new AbortController().signal,
      conns: { closeAll: async () => {} } as unknown as Connections,
      handlers: { machine: fail, network: fail, volume: fail, image: fail, container: fail },
    });
    expect(r.failed).toEqual([{ address: 'container.web[m1]', error: 'unable to find user (sensitive): no matching entries in passwd file' }]);
    const text = JSON.stringify(events);
    expect(text).not.toContain('Kx81');
    expect(text).not.toContain('Qz27');
  });
});
