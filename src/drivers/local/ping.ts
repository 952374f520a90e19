// Shared by drivers that only point at an existing engine (local, none): status = does the engine answer.
import type { EngineEndpoint, StatusResponse } from '../driver.js';
import { dockerClient, enginePing, endpointUrl } from '../../remote/docker/client.js';
import { engineMessage } from '../../remote/docker/errors.js';

export async function pingStatus(endpoint: EngineEndpoint, timeoutMs = 5000): Promise<StatusResponse> {
  try {
    await enginePing(dockerClient(endpoint), AbortSignal.timeout(timeoutMs));
    return { status: 'running' };
  } catch (err) {
    return { status: 'error', detail: `engine ${endpointUrl(endpoint)} unreachable: ${engineMessage(err)}` };
  }
}
