// The planner's public API: pure functions from (Desired, State, Observed) to a Plan, and its renderings.
export { plan, REPLACE_REQUESTED, type PlanOptions } from './planner.js';
export { renderPlanText, renderPlanTextTo, type RenderTextOptions } from './render-text.js';
export { planToJson, type PlanJson } from './render-json.js';
export { containerConfigHash, engineConfigHash, networkConfigHash, volumeConfigHash } from './hash.js';
export { mask, maskRecord, MASKED } from '../masking.js';
export { containerAttributes, engineAttributes, networkAttributes, volumeAttributes } from './attributes.js';
export { topoOrder } from './topo.js';
export { replaceStrategy } from './replace-strategy.js';
export { summarise, planHasChanges } from './summary.js';
export { normaliseImageRef, shortId } from './image-ref.js';
export {
  LABEL_CONFIG_HASH,
  LABEL_MACHINE,
  LABEL_NAME,
  LABEL_PROJECT,
  containerEngineName,
  engineName,
  machineAddress,
  mfileLabels,
  objectAddress,
  parseAddress,
  targetMatcher,
  type ParsedAddress,
} from './names.js';
export { renderPlanDot } from './render-dot.js';
export { applyDrift, driftHasChanges, refreshOnlyDrift, type Drift, type DriftEntry } from './refresh-only.js';
export { driftCounts, driftToJson, renderDriftText } from './render-drift.js';
export { containerMisfits, engineMisfits, networkMisfits } from './engine-fit.js';
