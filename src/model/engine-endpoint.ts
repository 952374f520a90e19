// How to reach a machine's Docker engine: drivers answer with it, remote/docker and provisioning connect with it.

/** How to reach a machine's Docker engine. Paths are on the controller. */
export type EngineEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port: number; tls?: { ca: string; cert: string; key: string } }
  /** Docker API through the machine's SSH connection to its unix socket (engine.transport: ssh). */
  | { kind: 'ssh'; socketPath: string };
