// In a 1,000-machine, 10,000-container fleet that is already applied, changing one container plans and
// prints that one change only: no line about the other 9,999 containers or the 1,000 machines.
import { describe, expect, it } from 'vitest';
import { generateDesired } from '../../bench/plan/generate.mjs';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import { plan, renderPlanText } from '../../src/plan/index.js';
import { clone, converged, notRefreshed } from './fixtures.js';

describe('plan of a large applied fleet', () => {
  it('shows only the one container whose image changed (and the image it pulls), refreshed or not', () => {
    const d = generateDesired({ machines: 1000, containers: 10000, drivers: builtinCatalog() });
    const { state, observed } = converged(d);
    const next = clone(d);
    next.containers.c4242.image = 'nginx:1.28';

    for (const obs of [notRefreshed, observed]) {
      const p = plan(next, state, obs);
      const text = renderPlanText(p);
      // The replaced container and the image it now needs on its machine; nothing else.
      const headers = text.split('\n').filter((l) => /^ {2}# (machine|container|image|network|volume)\./.test(l) && !l.startsWith('  # ('));
      expect(headers, text.slice(0, 2000)).toEqual([
        '  # container.c4242[m242] must be replaced',
        '  # image.nginx:1.28[m242] will be created',
      ]);
      expect(text).toMatch(/^Plan: 2 to add, 0 to change, 1 to destroy\.$/m);
      expect(text.split('\n').length).toBeLessThan(20);
    }
  }, 60_000);
});
