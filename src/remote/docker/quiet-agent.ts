// docker-modem formats every request's options with util.inspect (depth: null, showHidden) for its debug log, even
// with that log off: an agent, with its TLS context and sockets, costs milliseconds a call that way.
import { inspect } from 'node:util';

/** The agent, printed by util.inspect as its class name only. */
export function quietInInspect<T extends object>(agent: T): T {
  Object.defineProperty(agent, inspect.custom, { value: () => `[${agent.constructor.name}]`, configurable: true });
  return agent;
}
