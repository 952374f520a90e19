// The engine's own floor for the containers bench: the same containers (image, command, init, one user-defined
// network) created and started straight through the Engine API on the local socket, `width` at a time, with no
// client work at all (no config, no plan, no state, no progress). What no client can beat on this engine: a
// client's time minus this is its own overhead. Plain node:http on purpose: a library would add its own cost.
import http from 'node:http';

const SOCKET = '/var/run/docker.sock';

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      { socketPath: SOCKET, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.trim()}`));
          else resolve(text ? JSON.parse(text) : undefined);
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Creates the network, then creates and starts every container, `width` at a time; returns the seconds taken.
 * Everything it made carries the label io.mfile.project=<project>, so the bench's cleanup removes it.
 */
export async function engineFloor({ project, names, image, width }) {
  const labels = { 'io.mfile.project': project };
  const t0 = performance.now();
  const net = `${project}_default`;
  await call('POST', '/networks/create', { Name: net, CheckDuplicate: true, Labels: labels });
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = `${project}_${names[next++]}`;
      const { Id } = await call('POST', `/containers/create?name=${encodeURIComponent(name)}`, {
        Image: image,
        Cmd: ['sleep', '3600'],
        Labels: labels,
        HostConfig: { Init: true, NetworkMode: net },
        NetworkingConfig: { EndpointsConfig: { [net]: {} } },
      });
      await call('POST', `/containers/${Id}/start`);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return (performance.now() - t0) / 1000;
}
