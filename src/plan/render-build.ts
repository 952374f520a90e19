// The comment plan text puts above an image that is built: what is built, from which context and Dockerfile,
// where, and how the image reaches the machine (each machine's engine builds its own copy).
import type { PlanNode } from '../model/index.js';
import { terminalLine } from '../terminal-text.js';

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const REMOTE = /^[a-z]+:\/\/|^git@/;

/** Comment lines (without `# `) for an image node that builds; none for other nodes. */
export function buildLines(n: PlanNode): string[] {
  const build = n.kind === 'image' && n.after ? n.after.build : undefined;
  if (!isMap(build) || typeof build.context !== 'string') return [];
  const ref = typeof n.after?.ref === 'string' ? n.after.ref : n.name;
  const context = build.context;
  const remote = REMOTE.test(context);
  const file = typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
  // A Dockerfile path is relative to the context; a remote context's own files are only known to the engine.
  const dockerfile = remote
    ? typeof build.dockerfile === 'string' ? `Dockerfile ${file}` : 'its Dockerfile'
    : `Dockerfile ${file.startsWith('/') ? file : `${context.replace(/\/+$/, '')}/${file}`}`;
  const target = typeof build.target === 'string' ? `, stage ${build.target}` : '';
  const how = remote
    ? 'the engine fetches the context itself'
    : 'mfile sends it the context as a tar stream; nothing is pulled or copied';
  return [
    terminalLine(`builds ${ref} from context ${context} with ${dockerfile}${target}`),
    terminalLine(`on machine ${n.machine}'s own engine: ${how}`),
  ];
}
