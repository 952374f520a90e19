// preCreateCheck for digitalocean, run at plan time: the token works, and the region, size and image exist and
// fit together (the size is offered in the region, the image is available there). A typo fails here with the
// valid choices listed.
import { DriverError } from '../../errors.js';
import type { DoClient } from './client.js';
import type { DigitalOceanOptions } from './options.js';
import { listAll } from './pages.js';

function choices(names: (string | null | undefined)[]): string {
  const list = [...new Set(names.filter((n): n is string => !!n))].sort();
  return list.length ? list.join(', ') : '(none)';
}

export async function checkDigitalOceanOptions(machine: string, api: DoClient, o: DigitalOceanOptions): Promise<void> {
  const [regions, sizes] = await Promise.all([
    listAll(machine, 'list regions', (page) => api.GET('/v2/regions', { params: { query: { per_page: 200, page } } }), (b) => b.regions),
    listAll(machine, 'list sizes', (page) => api.GET('/v2/sizes', { params: { query: { per_page: 200, page } } }), (b) => b.sizes),
  ]);
  const region = regions.find((r) => r.slug === o.region);
  if (!region || !region.available) {
    throw new DriverError(machine, `digitalocean.region "${o.region}" ${region ? 'is not available' : 'does not exist'} (valid: ${choices(regions.filter((r) => r.available).map((r) => r.slug))})`);
  }
  const size = sizes.find((s) => s.slug === o.size);
  const here = (s: (typeof sizes)[number]): boolean => s.available && s.regions.includes(o.region) && region.sizes.includes(s.slug);
  if (!size) throw new DriverError(machine, `digitalocean.size "${o.size}" does not exist (valid in ${o.region}: ${choices(sizes.filter(here).map((s) => s.slug))})`);
  if (!here(size)) throw new DriverError(machine, `digitalocean.size "${o.size}" is not offered in ${o.region} (offered in: ${choices(size.regions)})`);

  const images = await listAll(machine, 'list images', (page) => api.GET('/v2/images', { params: { query: { type: 'distribution', per_page: 200, page } } }), (b) => b.images);
  const image = images.find((i) => i.slug === o.image || String(i.id) === o.image);
  if (!image) throw new DriverError(machine, `digitalocean.image "${o.image}" does not exist (valid: ${choices(images.map((i) => i.slug))})`);
  if (image.regions && !image.regions.includes(o.region as never)) {
    throw new DriverError(machine, `digitalocean.image "${o.image}" is not available in ${o.region} (available in: ${choices(image.regions)})`);
  }
  if ((image.min_disk_size ?? 0) > size.disk) {
    throw new DriverError(machine, `digitalocean.image "${o.image}" needs a ${image.min_disk_size} GB disk; size ${o.size} has ${size.disk} GB`);
  }
}
