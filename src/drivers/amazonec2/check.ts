// preCreateCheck, run while planning: the region, instance type and AMI exist and fit together, asked of EC2,
// so a typo fails before anything is made, with the valid choices listed.
import {
  DescribeImagesCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type Image,
  type InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { DriverError } from '../../errors.js';
import { awsCode, call, ec2Client, ec2Failure } from './client.js';
import { DEBIAN_12_NAME, DEBIAN_OWNER, type Ec2Options } from './options.js';

/** The few names closest to `wanted` (shared prefix first, then edit distance), to list on a typo. */
export function nearest(wanted: string, names: string[], n = 8): string[] {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0];
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const t = d[j];
        d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = t;
      }
    }
    return d[b.length];
  };
  return [...names].sort((a, b) => dist(wanted, a) - dist(wanted, b) || a.localeCompare(b)).slice(0, n);
}

async function checkRegion(o: Ec2Options, machine: string): Promise<void> {
  // Any region answers DescribeRegions; a misspelt one has no endpoint, so ask us-east-1 unless an endpoint is set.
  const c = o.endpoint ? ec2Client(o) : ec2Client({ ...o, region: 'us-east-1' });
  const r = await call(machine, 'DescribeRegions', () => c.send(new DescribeRegionsCommand({})));
  const names = (r.Regions ?? []).map((x) => x.RegionName!).filter(Boolean);
  if (!names.includes(o.region)) {
    throw new DriverError(machine, `driver amazonec2: region ${o.region} does not exist or is not enabled; regions: ${nearest(o.region, names, names.length).join(', ')}`);
  }
}

async function instanceType(c: EC2Client, o: Ec2Options, machine: string): Promise<InstanceTypeInfo> {
  // All types, paged: a misspelt name is refused by the API without a list to choose from.
  const all: InstanceTypeInfo[] = [];
  let NextToken: string | undefined;
  do {
    const r = await call(machine, 'DescribeInstanceTypes', () => c.send(new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken })));
    all.push(...(r.InstanceTypes ?? []));
    NextToken = r.NextToken;
  } while (NextToken);
  const found = all.find((t) => t.InstanceType === o.instanceType);
  if (!found) {
    const names = all.map((t) => t.InstanceType!).filter(Boolean);
    throw new DriverError(machine, `driver amazonec2: instance type ${o.instanceType} is not offered in ${o.region}; closest: ${nearest(o.instanceType, names).join(', ')}`);
  }
  return found;
}

/** The AMI the block names, or the newest Debian 12 amd64 image in the region. */
export async function resolveImage(c: EC2Client, o: Ec2Options, machine: string): Promise<Image> {
  if (o.ami) {
    const ami = o.ami;
    try {
      const r = await c.send(new DescribeImagesCommand({ ImageIds: [ami] }));
      const img = r.Images?.[0];
      if (img) return img;
    } catch (err) {
      if (!String(awsCode(err)).startsWith('InvalidAMIID')) throw ec2Failure(machine, 'DescribeImages', err);
    }
    throw new DriverError(machine, `driver amazonec2: AMI ${ami} does not exist in ${o.region} (AMI ids differ per region)`);
  }
  const r = await call(machine, 'DescribeImages', () =>
    c.send(
      new DescribeImagesCommand({
        Owners: [DEBIAN_OWNER],
        Filters: [
          { Name: 'name', Values: [DEBIAN_12_NAME] },
          { Name: 'architecture', Values: ['x86_64'] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
    ),
  );
  const newest = (r.Images ?? []).sort((a, b) => String(b.CreationDate).localeCompare(String(a.CreationDate)))[0];
  if (!newest) throw new DriverError(machine, `driver amazonec2: no Debian 12 image found in ${o.region}: set amazonec2.ami`);
  return newest;
}

export async function preCreateCheck(o: Ec2Options, machine: string): Promise<void> {
  await checkRegion(o, machine);
  const c = ec2Client(o);
  const type = await instanceType(c, o, machine);
  const image = await resolveImage(c, o, machine);
  const archs = (type.ProcessorInfo?.SupportedArchitectures ?? []) as string[];
  if (image.Architecture && archs.length && !archs.includes(image.Architecture)) {
    throw new DriverError(machine, `driver amazonec2: AMI ${image.ImageId} is ${image.Architecture} but ${o.instanceType} runs ${archs.join(', ')}`);
  }
  if (o.subnetId) {
    const subnetId = o.subnetId;
    try {
      await c.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    } catch (err) {
      if (awsCode(err) === 'InvalidSubnetID.NotFound') throw new DriverError(machine, `driver amazonec2: subnet ${subnetId} does not exist in ${o.region}`);
      throw ec2Failure(machine, 'DescribeSubnets', err);
    }
  }
}
