export * from './desired.js';
export * from './state.js';
export * from './observed.js';
export * from './plan.js';
export * from './events.js';
export * from './names.js';
export * from './image-reference.js';
export * from './driver-traits.js';
