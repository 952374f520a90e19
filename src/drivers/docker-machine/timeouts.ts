// How long each RPCServerDriver method may take before mfile stops the plugin and says so. Docker Machine itself
// waits forever; a cloud create can take many minutes, so these are generous. MFILE_DRIVER_PLUGIN_TIMEOUT
// (seconds) replaces them all, as it does for mfile-driver-NAME plugins.
const SECONDS: Record<string, number> = {
  PreCreateCheck: 300,
  Create: 1800,
  Start: 600,
  Stop: 600,
  Restart: 600,
  Kill: 300,
  Remove: 900,
};

/** Queries (GetState, GetSSHHostname, SetConfigFromFlags, ...) answer from memory or one API call. */
const QUERY_SECONDS = 120;

export function callTimeoutMs(method: string, env: NodeJS.ProcessEnv): number {
  const override = Number(env.MFILE_DRIVER_PLUGIN_TIMEOUT);
  return (override > 0 ? override : (SECONDS[method] ?? QUERY_SECONDS)) * 1000;
}
