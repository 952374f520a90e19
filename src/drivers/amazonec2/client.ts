// The EC2 client for one machine: region and endpoint from the block (or AWS_ENDPOINT_URL_EC2), credentials from
// the SDK's standard chain (environment, profiles), and the SDK's own retry strategy, bounded, for throttling
// (RequestLimitExceeded) and 5xx answers.
import { EC2Client } from '@aws-sdk/client-ec2';
import { DriverError } from '../../errors.js';
import type { Ec2Options } from './options.js';

/** Attempts per request (the SDK backs off with jitter between them, up to 20 s each). */
export const MAX_ATTEMPTS = 6;

const clients = new Map<string, EC2Client>();

export function ec2Client(o: Ec2Options): EC2Client {
  // Node 20 still runs this SDK release; its notice about future releases is not for mfile's users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const key = `${o.region}\0${o.endpoint ?? ''}`;
  let c = clients.get(key);
  if (!c) {
    c = new EC2Client({ region: o.region, maxAttempts: MAX_ATTEMPTS, ...(o.endpoint ? { endpoint: o.endpoint } : {}) });
    clients.set(key, c);
  }
  return c;
}

interface AwsError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** EC2's error code (AuthFailure, InvalidInstanceID.NotFound, ...), if the answer carried one. */
export function awsCode(err: unknown): string | undefined {
  const e = err as AwsError;
  return e?.$metadata ? (e.Code ?? e.name) : undefined;
}

/**
 * One line naming the driver, the operation and AWS's own code and message. The SDK's messages carry neither
 * the secret key nor the signature; the access key id is not quoted either.
 */
export function ec2Failure(machine: string, op: string, err: unknown): DriverError {
  if (err instanceof DriverError) return err;
  const e = err as AwsError;
  const code = awsCode(err);
  const status = e?.$metadata?.httpStatusCode;
  const msg = oneLine(e?.message ?? String(err));
  if (code) return new DriverError(machine, `driver amazonec2: ${op} failed: ${code}${status ? ` (HTTP ${status})` : ''}: ${msg}`);
  if (e?.name === 'CredentialsProviderError') return new DriverError(machine, `driver amazonec2: no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE): ${msg}`);
  return new DriverError(machine, `driver amazonec2: ${op} failed: ${msg}`);
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 400);
}

/** Runs one API call, turning its failure into the driver's named error. */
export async function call<T>(machine: string, op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw ec2Failure(machine, op, err);
  }
}
