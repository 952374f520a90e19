// What the fake Hetzner Cloud offers: a few locations, server types and images, in the API's own shapes.
const price = (net: string) => ({ gross: net, net });

export const LOCATIONS = [
  { id: 1, name: 'fsn1', description: 'Falkenstein DC Park 1', country: 'DE', city: 'Falkenstein', latitude: 50.47612, longitude: 12.370071, network_zone: 'eu-central' },
  { id: 2, name: 'nbg1', description: 'Nuremberg DC Park 1', country: 'DE', city: 'Nuremberg', latitude: 49.452102, longitude: 11.076665, network_zone: 'eu-central' },
  { id: 3, name: 'hel1', description: 'Helsinki DC Park 1', country: 'FI', city: 'Helsinki', latitude: 60.169855, longitude: 24.938379, network_zone: 'eu-central' },
  { id: 4, name: 'ash', description: 'Ashburn, VA', country: 'US', city: 'Ashburn, VA', latitude: 39.045821, longitude: -77.487073, network_zone: 'us-east' },
];

function serverType(id: number, name: string, architecture: 'x86' | 'arm', where: string[]) {
  return {
    id,
    name,
    description: name.toUpperCase(),
    category: 'shared',
    cores: 2,
    memory: 4,
    disk: 40,
    deprecated: false,
    deprecation: null,
    cpu_type: 'shared' as const,
    architecture,
    storage_type: 'local' as const,
    locations: where.map((n) => ({ id: LOCATIONS.find((l) => l.name === n)!.id, name: n, deprecation: null })),
    prices: where.map((n) => ({ location: n, included_traffic: 21990232555520, price_hourly: price('0.0060'), price_monthly: price('3.7900'), price_per_tb_traffic: price('1.0000') })),
  };
}

export const SERVER_TYPES = [
  serverType(22, 'cx22', 'x86', ['fsn1', 'nbg1', 'hel1']),
  serverType(45, 'cax11', 'arm', ['fsn1', 'nbg1', 'hel1']),
  serverType(96, 'cpx11', 'x86', ['fsn1', 'nbg1', 'hel1', 'ash']),
];

function image(id: number, name: string, architecture: 'x86' | 'arm', flavor: 'debian' | 'ubuntu', version: string) {
  return {
    id,
    type: 'system' as const,
    status: 'available' as const,
    name,
    description: `${flavor} ${version}`,
    image_size: null,
    disk_size: 5,
    created: '2023-06-13T06:00:02Z',
    created_from: null,
    bound_to: null,
    os_flavor: flavor,
    os_version: version,
    rapid_deploy: true,
    protection: { delete: false },
    deprecated: null,
    deleted: null,
    labels: {},
    architecture,
  };
}

export const IMAGES = [
  image(114690387, 'debian-12', 'x86', 'debian', '12'),
  image(114690389, 'debian-12', 'arm', 'debian', '12'),
  image(161547269, 'ubuntu-24.04', 'x86', 'ubuntu', '24.04'),
  image(161547270, 'ubuntu-24.04', 'arm', 'ubuntu', '24.04'),
];
