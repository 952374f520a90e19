// A large plan's text goes out in chunks of whole lines as it is made (the CLI writes each one): joined, the
// chunks are the text renderPlanText gives.
import { describe, expect, it } from 'vitest';
import { generateDesired } from '../../bench/plan/generate.mjs';
import { builtinCatalog } from '../../src/drivers/catalog.js';
import { plan, renderPlanText, renderPlanTextTo } from '../../src/plan/index.js';
import { emptyState, notRefreshed } from './fixtures.js';

describe('plan text in chunks', () => {
  it('comes in whole lines that join into the whole text', () => {
    const d = generateDesired({ machines: 20, containers: 400, drivers: builtinCatalog() });
    const p = plan(d, emptyState(), notRefreshed);
    const chunks: string[] = [];
    renderPlanTextTo(p, (c) => chunks.push(c));
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.endsWith('\n')).toBe(true);
    expect(chunks.join('')).toBe(renderPlanText(p));
    expect(chunks.join('')).toMatch(/^Plan: \d+ to add, 0 to change, 0 to destroy\.$/m);
  });
});
