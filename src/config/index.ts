// Public API of the config module.
export { loadConfig, defaultProject, type LoadOptions } from './load.js';
export { SCHEMA_PATH, machinesSchema } from './schema-file.js';
