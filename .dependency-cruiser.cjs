// The module rules of design.md ("Modules (src/)"), checked by test/architecture/module-rules.test.ts.
// Run by hand: npx depcruise src --config .dependency-cruiser.cjs
//
// Each part of src/ may import itself and the parts listed for it, nothing else of src/. Type-only imports count
// (tsPreCompilationDeps): a type is as much a dependency as a value.

/** Folders (trailing /) and leaf files of src/. */
const PARTS = {
  model: 'src/model/',
  errors: 'src/errors.ts',
  version: 'src/version.ts',
  terminalText: 'src/terminal-text.ts',
  masking: 'src/masking.ts',
  fsSafety: 'src/fs-safety/',
  config: 'src/config/',
  state: 'src/state/',
  plan: 'src/plan/',
  drivers: 'src/drivers/',
  remote: 'src/remote/',
  apply: 'src/apply/',
  progress: 'src/progress/',
  cli: 'src/cli/',
};

/**
 * What each part may import (besides itself). The design table, plus the leaf files: version.ts (nothing),
 * terminal-text.ts (nothing: escapes control characters for the terminal), masking.ts (nothing: the one
 * masking point), fs-safety/ (errors.ts: owned folders and private files for state, remote and drivers).
 */
const MAY_IMPORT = {
  model: [],
  errors: [],
  version: [],
  terminalText: [],
  masking: [],
  fsSafety: ['errors'],
  config: ['model', 'errors', 'terminalText'],
  state: ['model', 'errors', 'version', 'fsSafety'],
  plan: ['model', 'errors', 'version', 'terminalText', 'masking'],
  drivers: ['model', 'errors', 'remote', 'fsSafety'],
  remote: ['model', 'errors', 'fsSafety'],
  apply: ['model', 'errors', 'drivers', 'remote', 'masking'],
  progress: ['model', 'terminalText'],
  cli: Object.keys(PARTS).filter((p) => p !== 'cli'),
};

/** Parts that may import nothing at all, not even Node's built-ins or packages. */
const PURE = ['model', 'errors', 'version', 'masking', 'terminalText'];

const WHY = {
  model: 'model/ holds types and vocabulary only',
  config: 'config never imports plan: loading a file decides nothing',
  state: 'state holds the state and saved plan files; it knows nothing of planning or hosts',
  plan: 'plan is pure: no I/O, no hosts, no state file',
  drivers: 'drivers know nothing of the graph, the plan or the CLI',
  remote: 'remote never imports drivers or plan: machines are model endpoints, labels and addresses model vocabulary',
  apply: 'apply never imports plan: a node carries every decision its step needs',
  progress: 'progress renders model events',
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const pattern = (part) => {
  const p = PARTS[part];
  return p.endsWith('/') ? `^${escape(p)}` : `^${escape(p)}$`;
};

const partRules = Object.entries(MAY_IMPORT).map(([part, allowed]) => ({
  name: `${part}-imports-only-${allowed.length ? allowed.join('-') : 'itself'}`,
  severity: 'error',
  comment: `${WHY[part] ?? `${PARTS[part]} is a leaf`}; ${PARTS[part]} may import ${allowed.length ? allowed.map((a) => PARTS[a]).join(', ') : 'nothing of src/'}`,
  from: { path: pattern(part) },
  to: { path: '^src/', pathNot: [pattern(part), ...allowed.map(pattern)] },
}));

const pureRules = PURE.map((part) => ({
  name: `${part}-imports-no-package`,
  severity: 'error',
  comment: `${PARTS[part]} imports nothing: no Node built-in, no package`,
  from: { path: pattern(part) },
  to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...partRules,
    ...pureRules,
    {
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'cli/ is the edge: one file per verb and the one top-level catch',
      from: { path: '^src/', pathNot: pattern('cli') },
      to: { path: pattern('cli') },
    },
    {
      name: 'plan-does-no-io',
      severity: 'error',
      comment: 'plan() is pure: no file, process, network or Docker access',
      from: { path: pattern('plan') },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|dgram|dns|tls|os|readline|worker_threads|cluster)$|(^|/)node_modules/(dockerode|docker-modem|ssh2|node-forge|p-limit|listr2)/',
      },
    },
    {
      name: 'no-unresolvable-import',
      severity: 'error',
      comment: 'an import the checker cannot resolve would slip past every rule above',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
