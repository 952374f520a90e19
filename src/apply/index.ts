// Apply engine: refresh (observe), connections (one engine client per machine), applyPlan (walk the DAG).
export { refresh, machinesOf, type RefreshOptions } from './refresh.js';
export { applyPlan } from './executor.js';
export { createConnections, type Connections, type ConnectionOptions } from './connections.js';
export { defaultHandlers } from './steps/index.js';
export { StepError } from './types.js';
export type { ApplyArgs, ApplyResult, NodeOutcome, StepContext, StepHandler, StepHandlers, StepOptions } from './types.js';
