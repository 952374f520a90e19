// Go's encoding/gob, the part Docker Machine's plugin RPC needs: see encoder.ts and decoder.ts.
export { GobEncoder } from './encoder.js';
export { GobDecoder, type Decoded } from './decoder.js';
export { GobError } from './gob-error.js';
export * from './types.js';
export { GobInterface, zeroValue, type GobValue } from './values.js';
