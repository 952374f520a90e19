// Saved plans (`mfile plan --out`, `mfile apply PLANFILE`): files beside the state, kept by state/. A saved plan carries
// an HMAC-SHA256 over its whole content (every node included) with the project's plan key (.mfile/plan.key):
// an edited node, or a plan made elsewhere, is refused before anything runs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StalePlanError, UsageError } from '../errors.js';
import type { Desired } from '../model/desired.js';
import { MACHINE_NAME_RULE, isMachineName } from '../model/names.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../model/plan.js';
import type { State } from '../model/state.js';
import { writeFileAtomic } from './atomic-write.js';
import { MFILE_VERSION } from '../version.js';
import { canonicalJson } from '../model/canonical-json.js';

/** A plan as read back from its file, with the digest it carried. */
export interface SavedPlan extends Plan {
  digest: string;
}

const DIGEST_PREFIX = 'hmac-sha256:';

/** The digest of everything in the plan (keys sorted, so the file's layout does not matter). */
export function planDigest(plan: Plan, key: Uint8Array): string {
  return DIGEST_PREFIX + createHmac('sha256', key).update(canonicalJson(plan)).digest('hex');
}

/** Written 0600 and atomically: a plan names hosts, users and (masked) attributes. */
export async function writePlanFile(file: string, plan: Plan, key: Uint8Array): Promise<void> {
  const saved: SavedPlan = { ...plan, digest: planDigest(plan, key) };
  await writeFileAtomic(path.resolve(file), JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
}

/** Refuses a plan whose content is not what `mfile plan --out` signed with this project's key. */
export function assertPlanUnchanged(saved: SavedPlan, key: Uint8Array | null, file: string): Plan {
  const { digest, ...plan } = saved;
  if (key === null) {
    throw new UsageError(
      `plan file ${file} was not made for this state folder (it has no plan key); refusing to apply it: run \`mfile plan --out\` again`,
    );
  }
  const expected = Buffer.from(planDigest(plan, key));
  const given = Buffer.from(digest);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UsageError(
      `plan file ${file} was changed after \`mfile plan --out\` wrote it (its digest does not match); refusing to apply it: run \`mfile plan --out\` again`,
    );
  }
  return plan;
}

export function readPlanFile(file: string): SavedPlan {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `plan file ${file} does not exist` : `cannot read plan file ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `plan file ${file} is not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')}); give a file written by \`mfile plan --out\``,
    );
  }
  const fv = (data as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof data !== 'object' || data === null || fv === undefined) {
    throw new UsageError(`${file} is not an mfile plan (no formatVersion); give a file written by \`mfile plan --out\``);
  }
  if (fv !== PLAN_FORMAT_VERSION) {
    const older = typeof fv === 'number' && fv < PLAN_FORMAT_VERSION ? ' (an older mfile made it: its steps lack what this one needs)' : '';
    throw new UsageError(
      `plan file ${file} has format ${JSON.stringify(fv)}${older}; this mfile reads format ${PLAN_FORMAT_VERSION}: run \`mfile plan --out\` again`,
    );
  }
  const problems = planShapeProblems(data);
  if (problems.length) {
    const shown = problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : '');
    throw new UsageError(`plan file ${file} is not a valid mfile plan: ${shown}`);
  }
  const plan = data as SavedPlan;
  // Another version may plan and apply differently: apply only what this version planned.
  if (plan.mfileVersion !== MFILE_VERSION) {
    throw new UsageError(
      `plan file ${file} was made by mfile ${plan.mfileVersion}, this is mfile ${MFILE_VERSION}; make a new plan`,
    );
  }
  return plan;
}

/** Refuses a saved plan when the state or the config moved since it was made. */
export function assertPlanFresh(plan: Plan, state: State, desired: Desired): void {
  const again = '; run `mfile plan` again';
  // Serial 0 on both sides means no state was ever written: its lineage is a fresh random one on every read.
  const neverWritten = plan.stateSerial === 0 && state.serial === 0;
  if (!neverWritten && plan.stateLineage !== state.lineage) {
    throw new StalePlanError(
      `Saved plan is stale: state lineage changed (plan made for ${plan.stateLineage}, state is ${state.lineage})${again}`,
    );
  }
  if (plan.stateSerial !== state.serial) {
    throw new StalePlanError(`Saved plan is stale: state serial moved from ${plan.stateSerial} to ${state.serial}${again}`);
  }
  if (plan.configDigest !== desired.configDigest) {
    throw new StalePlanError(
      `Saved plan is stale: ${path.basename(desired.configPath)} changed since the plan was made${again}`,
    );
  }
}

// Shape check of a plan read back from disk: a hand-edited or truncated file must not reach the executor.
const ACTIONS = ['create', 'update', 'replace', 'delete', 'noop', 'read'];
const KINDS = ['machine', 'network', 'volume', 'image', 'container'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

function nodeProblems(n: unknown, at: string): string[] {
  if (!isObj(n)) return [`${at}: expected an object`];
  const p: string[] = [];
  for (const k of ['address', 'machine', 'name']) if (typeof n[k] !== 'string') p.push(`${at}.${k}: expected a string`);
  if (!KINDS.includes(n.kind as string)) p.push(`${at}.kind: expected one of ${KINDS.join(', ')}`);
  if (!ACTIONS.includes(n.action as string)) p.push(`${at}.action: expected one of ${ACTIONS.join(', ')}`);
  for (const k of ['reasons', 'dependsOn']) if (!isStrings(n[k])) p.push(`${at}.${k}: expected a list of strings`);
  for (const k of ['before', 'after']) if (n[k] !== null && !isObj(n[k])) p.push(`${at}.${k}: expected an object or null`);
  if (n.existingId !== undefined && typeof n.existingId !== 'string') p.push(`${at}.existingId: expected a string`);
  p.push(...stepDataProblems(n, at));
  if (n.removedWithMachine !== undefined && n.removedWithMachine !== true) p.push(`${at}.removedWithMachine: expected true`);
  if (n.settleLeftovers !== undefined && n.settleLeftovers !== true) p.push(`${at}.settleLeftovers: expected true`);
  if (n.previousRan !== undefined && n.previousRan !== true) p.push(`${at}.previousRan: expected true`);
  // A machine's name becomes a folder under .mfile/machines: the same rule as in machines.yml and the state.
  if (typeof n.machine === 'string' && !isMachineName(n.machine)) p.push(`${at}.machine: a machine name must be ${MACHINE_NAME_RULE}`);
  return p;
}

const PULL_POLICIES = ['always', 'missing', 'never', 'build'];
const isOptString = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** The data a step acts on (decided by the planner), checked as strictly as the rest. */
function stepDataProblems(n: Obj, at: string): string[] {
  const p: string[] = [];
  if (!isOptString(n.configHash)) p.push(`${at}.configHash: expected a string`);
  if (n.driverOptions !== undefined && !isObj(n.driverOptions)) p.push(`${at}.driverOptions: expected an object`);
  const rs = n.replaceStrategy;
  if (rs !== undefined) {
    const ok = isObj(rs) && (rs.kind === 'start-first' || (rs.kind === 'stop-first' && isStrings(rs.because)));
    if (!ok) p.push(`${at}.replaceStrategy: expected {kind: start-first} or {kind: stop-first, because: [...]}`);
  }
  if (n.runsAfter !== undefined && !isStrings(n.runsAfter)) p.push(`${at}.runsAfter: expected a list of strings`);
  const ro = n.rolling;
  if (ro !== undefined) {
    const ok = isObj(ro) && [ro.batch, ro.batches, ro.delayMs, ro.monitorMs].every(isCount) && ['rollback', 'pause', 'continue'].includes(ro.failureAction as string);
    if (!ok) p.push(`${at}.rolling: expected {batch, batches, delayMs, monitorMs, failureAction: rollback | pause | continue}`);
  }
  const wf = n.waitFor;
  if (wf !== undefined && !(Array.isArray(wf) && wf.every((w) => isObj(w) && typeof w.container === 'string' && typeof w.machine === 'string'))) {
    p.push(`${at}.waitFor: expected a list of {container, machine}`);
  }
  const im = n.image;
  if (im !== undefined) {
    if (!isObj(im)) p.push(`${at}.image: expected an object`);
    else {
      for (const k of ['ref', 'refFrom', 'buildFrom']) if (!isOptString(im[k])) p.push(`${at}.image.${k}: expected a string`);
      if (im.pullPolicy !== undefined && !PULL_POLICIES.includes(im.pullPolicy as string)) {
        p.push(`${at}.image.pullPolicy: expected one of ${PULL_POLICIES.join(', ')}`);
      }
    }
  }
  return p;
}

function planShapeProblems(data: unknown): string[] {
  if (!isObj(data)) return ['expected a JSON object'];
  const p: string[] = [];
  for (const k of ['mfileVersion', 'project', 'configPath', 'configDigest', 'stateLineage', 'digest']) {
    if (typeof data[k] !== 'string') p.push(`${k}: expected a string`);
  }
  if (!isCount(data.stateSerial)) p.push('stateSerial: expected a whole number');
  if (typeof data.destroy !== 'boolean') p.push('destroy: expected true or false');
  if (!isStrings(data.warnings)) p.push('warnings: expected a list of strings');
  const s = data.summary;
  if (!isObj(s) || !isCount(s.add) || !isCount(s.change) || !isCount(s.destroy)) {
    p.push('summary: expected {add, change, destroy} counts');
  }
  if (!Array.isArray(data.nodes)) p.push('nodes: expected a list');
  else data.nodes.forEach((n, i) => p.push(...nodeProblems(n, `nodes[${i}]`)));
  return p;
}
