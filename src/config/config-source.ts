// A machines.yml once read, as the loading steps use it, whichever reader read it: the positioned reader
// (positioned-source.ts, the `yaml` package, which keeps every position) or the fast one (fast-yaml.ts, js-yaml).
import type { Raw } from './context.js';
import type { InterpolationInput } from './interpolate.js';
import type { IssueList } from './issues.js';
import type { Placer } from './placer.js';

export interface ConfigSource extends InterpolationInput {
  placer: Placer;
  /** Reports what only the tree shows (`__proto__` keys); the fast reader declines files that have any. */
  checkTree(issues: IssueList): void;
  /** The data with interpolate()'s substitutions: call after it. Throws when the tree cannot be converted. */
  data(): Raw;
}
