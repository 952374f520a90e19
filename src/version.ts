// Kept in step with package.json by a test.
export const MFILE_VERSION = '0.1.0';
