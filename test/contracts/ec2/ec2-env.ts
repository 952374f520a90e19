// The environment the amazonec2 tests run in: the fake's credentials, no profile files, no instance metadata
// lookups (nothing leaves loopback), short polls.
import path from 'node:path';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY } from './fake-ec2.js';

export function ec2TestEnv(endpoint: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_EC2: endpoint,
    AWS_CONFIG_FILE: path.join('/nonexistent', 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join('/nonexistent', 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    MFILE_EC2_POLL_MS: '50',
    ...over,
  };
}

/** Sets the variables on this process; returns a function that puts the old values back. */
export function useEnv(vars: Record<string, string>): () => void {
  const old = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
