// A service runs its image by content id (a swarm task would otherwise pull the name from a registry before
// every start), keeps the name in a label, and is read back by that name unless someone set another image.
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../../src/model/index.js';
import { listProjectServices } from '../../../src/remote/docker/swarm-api.js';
import { serviceEngineSpec } from '../../../src/remote/docker/swarm-service-spec.js';

const ID = `sha256:${'ab'.repeat(32)}`;

const web: ServiceSpec = {
  name: 'web',
  image: 'registry.example:5000/shop/app:1',
  environment: {},
  labels: {},
  ports: [],
  networks: [],
  secrets: [],
  configs: [],
  init: false,
  deploy: { mode: 'replicated', replicas: 2, endpoint_mode: 'vip', labels: {}, placement: { constraints: [], preferences: [] }, resources: { limits: {}, reservations: {} } },
};

/** An engine that lists one service with this image and these labels (a pure stand-in: no engine is needed). */
function engineWith(image: string, labels: Record<string, string>): Docker {
  const service = { ID: 's1', Version: { Index: 7 }, Spec: { Name: 'shop_web', Labels: labels, TaskTemplate: { ContainerSpec: { Image: image } }, Mode: { Replicated: { Replicas: 2 } } } };
  return { listServices: async () => [service], listTasks: async () => [] } as unknown as Docker;
}

describe('a service image', () => {
  it('is run by its content id, with the name from machines.yml in a label', () => {
    const spec = serviceEngineSpec(web, { project: 'shop', engineName: 'shop_web', labels: {}, taskLabels: {}, networks: {}, secrets: {}, configs: {}, imageId: ID }) as { Labels: Record<string, string>; TaskTemplate: { ContainerSpec: { Image: string } } };
    expect(spec.TaskTemplate.ContainerSpec.Image).toBe(ID);
    expect(spec.Labels['io.mfile.image']).toBe('registry.example:5000/shop/app:1');
  });

  it('reads back as the name mfile ran it by', async () => {
    const [svc] = await listProjectServices(engineWith(ID, { 'io.mfile.image': 'registry.example:5000/shop/app:1' }), 'io.mfile.project=shop', new AbortController().signal);
    expect(svc.image).toBe('registry.example:5000/shop/app:1');
  });

  it('reads back as the image someone set by hand, whatever the label says', async () => {
    const byHand = `shop/app:2@sha256:${'cd'.repeat(32)}`;
    const [svc] = await listProjectServices(engineWith(byHand, { 'io.mfile.image': 'registry.example:5000/shop/app:1' }), 'io.mfile.project=shop', new AbortController().signal);
    expect(svc.image).toBe(byHand);
  });

  it('reads back as the id when no label names it (a service not made this way)', async () => {
    const [svc] = await listProjectServices(engineWith(ID, {}), 'io.mfile.project=shop', new AbortController().signal);
    expect(svc.image).toBe(ID);
  });
});
