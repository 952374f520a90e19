// preCreateCheck for hetzner, run at plan time: the token works, and the location, server type and image exist
// and fit together (the type is offered at the location, the image is built for the type's architecture).
// A typo fails here with the valid choices listed.
import { DriverError } from '../../errors.js';
import type { HetznerClient } from './client.js';
import type { HetznerOptions } from './options.js';
import { listAll } from './pages.js';

function choices(names: (string | null | undefined)[]): string {
  const list = [...new Set(names.filter((n): n is string => !!n))].sort();
  return list.length ? list.join(', ') : '(none)';
}

export async function checkHetznerOptions(machine: string, api: HetznerClient, o: HetznerOptions): Promise<void> {
  const [locs, types] = await Promise.all([
    listAll(machine, 'list locations', (page) => api.GET('/locations', { params: { query: { per_page: 50, page } } }), (b) => b.locations),
    listAll(machine, 'list server types', (page) => api.GET('/server_types', { params: { query: { per_page: 50, page } } }), (b) => b.server_types),
  ]);
  const loc = locs.find((l) => l.name === o.location);
  if (!loc) throw new DriverError(machine, `hetzner.location "${o.location}" does not exist (valid: ${choices(locs.map((l) => l.name))})`);

  const type = types.find((t) => t.name === o.serverType);
  const here = (t: (typeof types)[number]): boolean => t.locations.some((l) => l.name === o.location && !l.deprecation);
  if (!type) {
    throw new DriverError(machine, `hetzner.server_type "${o.serverType}" does not exist (valid in ${o.location}: ${choices(types.filter((t) => !t.deprecated && here(t)).map((t) => t.name))})`);
  }
  if (!here(type)) {
    throw new DriverError(machine, `hetzner.server_type "${o.serverType}" is not offered in ${o.location} (offered in: ${choices(type.locations.filter((l) => !l.deprecation).map((l) => l.name))})`);
  }

  const images = await listAll(
    machine,
    'list images',
    (page) => api.GET('/images', { params: { query: { type: ['system', 'app', 'snapshot'], architecture: type.architecture, per_page: 50, page } } }),
    (b) => b.images,
  );
  const image = images.find((i) => i.name === o.image || String(i.id) === o.image);
  if (!image) {
    throw new DriverError(machine, `hetzner.image "${o.image}" does not exist for ${type.architecture} server types like ${type.name} (valid: ${choices(images.filter((i) => i.type === 'system' && !i.deprecated).map((i) => i.name))})`);
  }
  if (image.status !== 'available') throw new DriverError(machine, `hetzner.image "${o.image}" is ${image.status}`);
}
