// A stateful fake of the EC2 Query API on 127.0.0.1, written for the amazonec2 driver's tests. Every request is
// decoded and checked against the botocore model (ec2-model.ts): a breach is answered 400 FakeContractViolation
// and kept in `violations` (tests assert it stays empty). Every answer is written from the model's output shape,
// so the fake is held to the model too. Each instance can be given a real host (FakeHosts) reachable over SSH
// with the imported key.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeRequest, encodeError, encodeResponse, type Value } from './ec2-model.js';

export const ACCESS_KEY_ID = 'AKIAFAKEEC2TESTKEY01';
export const SECRET_ACCESS_KEY = 'fake/secret/key/for/the/ec2/contract/tests';
export const DEBIAN_OWNER = '136693071363';

/** Hosts behind the fake's instances (the e2e tests give real namespace hosts; unit tests none). */
export interface FakeHosts {
  create(instanceId: string, publicKey: string): Promise<string>;
  stop(instanceId: string): Promise<void>;
  start(instanceId: string): Promise<void>;
  remove(instanceId: string): Promise<void>;
}

interface Tagged {
  tags: Record<string, string>;
}
interface FakeInstance extends Tagged {
  id: string;
  state: 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
  imageId: string;
  type: string;
  keyName?: string;
  groups: string[];
  clientToken?: string;
  ip?: string;
  privateIp: string;
  launched: Date;
  reservation: string;
  userData?: string;
}
interface FakeKeyPair extends Tagged {
  id: string;
  name: string;
  publicKey: string;
}
interface FakeGroup extends Tagged {
  id: string;
  name: string;
  description: string;
  vpcId: string;
  rules: { proto: string; from: number; to: number; cidr: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Fault {
  status: number;
  code: string;
  message: string;
  times: number;
}

const CODES: Record<FakeInstance['state'], number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };
const id = (prefix: string): string => `${prefix}-${randomBytes(8).toString('hex').slice(0, 17)}`;
const tagList = (t: Record<string, string>): { Key: string; Value: string }[] => Object.entries(t).map(([Key, Value]) => ({ Key, Value }));
type Input = Record<string, Value>;
type Filters = { Name: string; Values: string[] }[];

function glob(pattern: string, s: string): boolean {
  return new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$').test(s);
}

export class FakeEc2 {
  readonly regions = ['us-east-1', 'us-west-2', 'eu-central-1', 'eu-west-1'];
  readonly instanceTypes: [string, string][] = [
    ['t3.micro', 'x86_64'],
    ['t3.small', 'x86_64'],
    ['t3.medium', 'x86_64'],
    ['t2.micro', 'x86_64'],
    ['m5.large', 'x86_64'],
    ['t4g.small', 'arm64'],
  ];
  readonly images = [
    { ImageId: 'ami-0d12a0000000000a1', Name: 'debian-12-amd64-20261001-1', Architecture: 'x86_64', CreationDate: '2026-10-01T00:00:00.000Z' },
    { ImageId: 'ami-0d12a0000000000a2', Name: 'debian-12-amd64-20261101-1', Architecture: 'x86_64', CreationDate: '2026-11-01T00:00:00.000Z' },
    { ImageId: 'ami-0d12b0000000000b1', Name: 'debian-12-arm64-20261101-1', Architecture: 'arm64', CreationDate: '2026-11-01T00:00:00.000Z' },
  ];
  readonly subnets = [{ SubnetId: 'subnet-0a1b2c3d4e5f60718', VpcId: 'vpc-0a1b2c3d4e5f60718' }];
  readonly instances = new Map<string, FakeInstance>();
  readonly keyPairs = new Map<string, FakeKeyPair>();
  readonly groups = new Map<string, FakeGroup>();
  /** Every request that passed the model check: operation and decoded members. */
  readonly requests: { operation: string; input: Input }[] = [];
  /** Requests that broke the model (should stay empty). */
  readonly violations: string[] = [];
  /** Answers that broke the model (the fake's own bugs; should stay empty). */
  readonly badAnswers: string[] = [];
  readonly faults = new Map<string, Fault>();
  /** Instances stay pending (a launch that never comes up). */
  neverRunning = false;
  /** Called after RunInstances stored the instance and before it answers (a crash test kills mfile here). */
  onRunInstances?: (instanceId: string) => Promise<void> | void;
  private server?: Server;
  private nextIp = 10;
  private pendingHosts = new Map<string, Promise<void>>();

  constructor(readonly hosts?: FakeHosts) {}

  async listen(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pendingHosts.values()]);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The next `times` requests of `operation` fail with this answer. */
  fail(operation: string, status: number, code: string, message: string, times = 1): void {
    this.faults.set(operation, { status, code, message, times });
  }

  count(operation: string): number {
    return this.requests.filter((r) => r.operation === operation).length;
  }

  /** Instances not terminated, key pairs and security groups: what a destroyed project must not leave. */
  leftovers(): { instances: string[]; keyPairs: string[]; groups: string[] } {
    return {
      instances: [...this.instances.values()].filter((i) => i.state !== 'terminated').map((i) => i.id),
      keyPairs: [...this.keyPairs.keys()],
      groups: [...this.groups.values()].map((g) => g.name),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const requestId = randomBytes(16).toString('hex');
    const send = (status: number, xml: string): void => {
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId });
      res.end(xml);
    };
    const auth = String(req.headers.authorization ?? '');
    if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/ec2\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/.test(auth)) {
      return send(400, encodeError('MissingAuthenticationToken', 'Request is missing Authentication Token', requestId));
    }
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/`)) {
      return send(401, encodeError('AuthFailure', 'AWS was not able to validate the provided access credentials', requestId));
    }
    const d = decodeRequest(body);
    if (d.violations.length) {
      this.violations.push(...d.violations.map((v) => `${d.operation}: ${v}`));
      return send(400, encodeError('FakeContractViolation', d.violations.join('; '), requestId));
    }
    this.requests.push({ operation: d.operation, input: d.input });
    const fault = this.faults.get(d.operation);
    if (fault && fault.times > 0) {
      fault.times--;
      return send(fault.status, encodeError(fault.code, fault.message, requestId));
    }
    let out: Record<string, unknown>;
    try {
      out = await this.answer(d.operation, d.input);
    } catch (e) {
      if (e instanceof ApiError) return send(e.status, encodeError(e.code, e.message, requestId));
      return send(500, encodeError('InternalError', (e as Error).message, requestId));
    }
    try {
      send(200, encodeResponse(d.operation, out, requestId));
    } catch (e) {
      this.badAnswers.push((e as Error).message);
      send(500, encodeError('FakeAnswerViolation', (e as Error).message, requestId));
    }
  }

  private answer(op: string, input: Input): Promise<Record<string, unknown>> | Record<string, unknown> {
    switch (op) {
      case 'DescribeRegions':
        return { Regions: this.regions.map((r) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: 'opt-in-not-required' })) };
      case 'DescribeInstanceTypes':
        return this.describeTypes(input);
      case 'DescribeImages':
        return this.describeImages(input);
      case 'DescribeSubnets': {
        const ids = (input.SubnetIds as string[] | undefined) ?? [];
        const missing = ids.find((s) => !this.subnets.some((x) => x.SubnetId === s));
        if (missing) throw new ApiError(400, 'InvalidSubnetID.NotFound', `The subnet ID '${missing}' does not exist`);
        return { Subnets: this.subnets.filter((s) => !ids.length || ids.includes(s.SubnetId)) };
      }
      case 'ImportKeyPair':
        return this.importKeyPair(input);
      case 'DeleteKeyPair':
        this.keyPairs.delete(String(input.KeyName));
        return {};
      case 'DescribeKeyPairs':
        return { KeyPairs: [...this.keyPairs.values()].map((k) => ({ KeyPairId: k.id, KeyName: k.name, KeyType: 'ed25519', Tags: tagList(k.tags) })) };
      case 'CreateSecurityGroup':
        return this.createGroup(input);
      case 'DescribeSecurityGroups':
        return this.describeGroups(input);
      case 'AuthorizeSecurityGroupIngress':
        return this.authorize(input);
      case 'DeleteSecurityGroup':
        return this.deleteGroup(input);
      case 'RunInstances':
        return this.run(input);
      case 'DescribeInstances':
        return this.describeInstances(input);
      case 'TerminateInstances':
        return { TerminatingInstances: this.change(input, (i) => this.terminate(i)) };
      case 'StopInstances':
        return { StoppingInstances: this.change(input, (i) => this.stop(i)) };
      case 'StartInstances':
        return { StartingInstances: this.change(input, (i) => this.start(i)) };
      case 'RebootInstances':
        this.change(input, () => undefined);
        return {};
      default:
        throw new ApiError(400, 'UnsupportedOperation', `the fake does not implement ${op}`);
    }
  }

  private describeTypes(input: Input): Record<string, unknown> {
    const wanted = input.InstanceTypes as string[] | undefined;
    if (wanted) {
      const bad = wanted.find((t) => !this.instanceTypes.some(([n]) => n === t));
      if (bad) throw new ApiError(400, 'InvalidInstanceType', `The following supplied instance types do not exist: [${bad}]`);
    }
    const all = this.instanceTypes.filter(([n]) => !wanted || wanted.includes(n));
    // Small pages (at most 4), so that callers must follow NextToken as with the real API.
    const size = Math.min(Number(input.MaxResults ?? 100), 4);
    const start = Number(input.NextToken ?? 0);
    const page = all.slice(start, start + size);
    return {
      InstanceTypes: page.map(([n, arch]) => ({ InstanceType: n, CurrentGeneration: true, ProcessorInfo: { SupportedArchitectures: [arch] } })),
      ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
    };
  }

  private describeImages(input: Input): Record<string, unknown> {
    const ids = input.ImageIds as string[] | undefined;
    if (ids) {
      const bad = ids.find((i) => !this.images.some((x) => x.ImageId === i));
      if (bad) throw new ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${bad}]' does not exist`);
    }
    const owners = input.Owners as string[] | undefined;
    const filters = (input.Filters as Filters | undefined) ?? [];
    const keyOf: Record<string, 'Name' | 'Architecture'> = { name: 'Name', architecture: 'Architecture' };
    const imgs = this.images.filter(
      (img) =>
        (!ids || ids.includes(img.ImageId)) &&
        (!owners || owners.includes(DEBIAN_OWNER)) &&
        filters.every((f) => (f.Name === 'state' ? f.Values.includes('available') : f.Values.some((v) => glob(v, img[keyOf[f.Name]] ?? '')))),
    );
    return { Images: imgs.map((i) => ({ ...i, OwnerId: DEBIAN_OWNER, State: 'available', RootDeviceName: '/dev/xvda', RootDeviceType: 'ebs', Public: true })) };
  }

  private tagsFor(input: Input, type: string): Record<string, string> {
    const specs = (input.TagSpecifications as { ResourceType?: string; Tags?: { Key: string; Value: string }[] }[] | undefined) ?? [];
    return Object.fromEntries(specs.filter((s) => s.ResourceType === type).flatMap((s) => (s.Tags ?? []).map((t) => [t.Key, t.Value])));
  }

  private importKeyPair(input: Input): Record<string, unknown> {
    const name = String(input.KeyName);
    if (this.keyPairs.has(name)) throw new ApiError(400, 'InvalidKeyPair.Duplicate', `The keypair already exists`);
    const publicKey = (input.PublicKeyMaterial as Buffer).toString('utf8').trim();
    if (!/^ssh-(ed25519|rsa) [A-Za-z0-9+/=]+/.test(publicKey)) throw new ApiError(400, 'InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
    const k: FakeKeyPair = { id: id('key'), name, publicKey, tags: this.tagsFor(input, 'key-pair') };
    this.keyPairs.set(name, k);
    const fp = createHash('sha256').update(publicKey).digest('base64');
    return { KeyFingerprint: fp, KeyName: name, KeyPairId: k.id, Tags: tagList(k.tags) };
  }

  private createGroup(input: Input): Record<string, unknown> {
    const name = String(input.GroupName);
    const vpcId = String(input.VpcId ?? 'vpc-default0000000001');
    if ([...this.groups.values()].some((g) => g.name === name && g.vpcId === vpcId)) {
      throw new ApiError(400, 'InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
    }
    const g: FakeGroup = { id: id('sg'), name, description: String(input.Description), vpcId, rules: [], tags: this.tagsFor(input, 'security-group') };
    this.groups.set(g.id, g);
    return { GroupId: g.id, Tags: tagList(g.tags) };
  }

  private group(gid: string): FakeGroup {
    const g = this.groups.get(gid);
    if (!g) throw new ApiError(400, 'InvalidGroup.NotFound', `The security group '${gid}' does not exist`);
    return g;
  }

  private describeGroups(input: Input): Record<string, unknown> {
    const ids = input.GroupIds as string[] | undefined;
    ids?.forEach((g) => this.group(g));
    const filters = (input.Filters as Filters | undefined) ?? [];
    const groups = [...this.groups.values()].filter(
      (g) => (!ids || ids.includes(g.id)) && filters.every((f) => f.Name !== 'group-name' || f.Values.includes(g.name)),
    );
    return {
      SecurityGroups: groups.map((g) => ({
        GroupId: g.id,
        GroupName: g.name,
        Description: g.description,
        VpcId: g.vpcId,
        OwnerId: '123456789012',
        Tags: tagList(g.tags),
        IpPermissions: g.rules.map((r) => ({ IpProtocol: r.proto, FromPort: r.from, ToPort: r.to, IpRanges: [{ CidrIp: r.cidr }] })),
      })),
    };
  }

  /** The rules a group holds, as `tcp/PORT CIDR` (for tests). */
  rulesOf(name: string): string[] {
    const g = [...this.groups.values()].find((x) => x.name === name);
    return (g?.rules ?? []).map((r) => `${r.proto}/${r.from} ${r.cidr}`).sort();
  }

  private authorize(input: Input): Record<string, unknown> {
    const g = this.group(String(input.GroupId));
    const perms = (input.IpPermissions as Record<string, Value>[] | undefined) ?? [];
    const add: FakeGroup['rules'] = [];
    for (const p of perms) {
      const cidrs = [...((p.IpRanges as { CidrIp: string }[] | undefined) ?? []).map((r) => r.CidrIp), ...((p.Ipv6Ranges as { CidrIpv6: string }[] | undefined) ?? []).map((r) => r.CidrIpv6)];
      for (const cidr of cidrs) add.push({ proto: String(p.IpProtocol), from: Number(p.FromPort), to: Number(p.ToPort), cidr });
    }
    if (add.some((a) => g.rules.some((r) => r.proto === a.proto && r.from === a.from && r.to === a.to && r.cidr === a.cidr))) {
      throw new ApiError(400, 'InvalidPermission.Duplicate', 'the specified rule already exists');
    }
    g.rules.push(...add);
    return { Return: true };
  }

  private deleteGroup(input: Input): Record<string, unknown> {
    const g = this.group(String(input.GroupId));
    if ([...this.instances.values()].some((i) => i.state !== 'terminated' && i.groups.includes(g.id))) {
      throw new ApiError(400, 'DependencyViolation', `resource ${g.id} has a dependent object`);
    }
    this.groups.delete(g.id);
    return {};
  }

  private async run(input: Input): Promise<Record<string, unknown>> {
    const token = input.ClientToken as string | undefined;
    const same = token ? [...this.instances.values()].find((i) => i.clientToken === token) : undefined;
    if (same) return this.reservation([same]);
    const imageId = String(input.ImageId);
    if (!this.images.some((i) => i.ImageId === imageId)) throw new ApiError(400, 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
    const type = String(input.InstanceType ?? 'm1.small');
    if (!this.instanceTypes.some(([n]) => n === type)) throw new ApiError(400, 'InvalidParameterValue', `Invalid value '${type}' for InstanceType.`);
    const keyName = input.KeyName as string | undefined;
    if (keyName && !this.keyPairs.has(keyName)) throw new ApiError(400, 'InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
    const nics = (input.NetworkInterfaces as { Groups?: string[]; SubnetId?: string }[] | undefined) ?? [];
    const groups = [...((input.SecurityGroupIds as string[] | undefined) ?? []), ...nics.flatMap((n) => n.Groups ?? [])];
    groups.forEach((g) => this.group(g));
    const inst: FakeInstance = {
      id: id('i'),
      state: 'pending',
      imageId,
      type,
      keyName,
      groups,
      clientToken: token,
      privateIp: `172.31.0.${this.nextIp++}`,
      launched: new Date(),
      reservation: id('r'),
      tags: this.tagsFor(input, 'instance'),
      userData: input.UserData ? Buffer.from(String(input.UserData), 'base64').toString('utf8') : undefined,
    };
    this.instances.set(inst.id, inst);
    if (!this.neverRunning) this.bringUp(inst, () => this.hosts!.create(inst.id, this.keyPairs.get(keyName ?? '')?.publicKey ?? ''));
    await this.onRunInstances?.(inst.id);
    return this.reservation([inst]);
  }

  /** The host comes up in the background; the instance is running (with its address) once it has. */
  private bringUp(inst: FakeInstance, make: () => Promise<string | void>): void {
    const p = (this.hosts ? make() : Promise.resolve(`10.213.159.${(this.nextIp % 250) + 2}`))
      .then((ip) => {
        if (inst.state !== 'pending') return;
        if (typeof ip === 'string') inst.ip = ip;
        inst.state = 'running';
      })
      .finally(() => this.pendingHosts.delete(inst.id));
    this.pendingHosts.set(inst.id, p.catch(() => undefined));
  }

  private reservation(list: FakeInstance[]): Record<string, unknown> {
    return { ReservationId: list[0].reservation, OwnerId: '123456789012', Groups: [], Instances: list.map((i) => this.view(i)) };
  }

  private view(i: FakeInstance): Record<string, unknown> {
    const groupName = (g: string): string => this.groups.get(g)?.name ?? g;
    return {
      InstanceId: i.id,
      ImageId: i.imageId,
      InstanceType: i.type,
      ...(i.keyName ? { KeyName: i.keyName } : {}),
      State: { Code: CODES[i.state], Name: i.state },
      ...(i.ip && (i.state === 'running' || i.state === 'pending') ? { PublicIpAddress: i.ip } : {}),
      PrivateIpAddress: i.privateIp,
      LaunchTime: i.launched,
      Architecture: 'x86_64',
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      Placement: { AvailabilityZone: 'us-east-1a' },
      SecurityGroups: i.groups.map((g) => ({ GroupId: g, GroupName: groupName(g) })),
      ...(i.clientToken ? { ClientToken: i.clientToken } : {}),
      Tags: tagList(i.tags),
      ...(i.state === 'terminated' ? { StateReason: { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' } } : {}),
    };
  }

  private describeInstances(input: Input): Record<string, unknown> {
    const ids = input.InstanceIds as string[] | undefined;
    const missing = ids?.find((i) => !this.instances.has(i));
    if (missing) throw new ApiError(400, 'InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
    const filters = (input.Filters as Filters | undefined) ?? [];
    const match = (i: FakeInstance, f: Filters[number]): boolean => {
      if (f.Name.startsWith('tag:')) return f.Values.includes(i.tags[f.Name.slice(4)]);
      if (f.Name === 'instance-state-name') return f.Values.includes(i.state);
      if (f.Name === 'instance-id') return f.Values.includes(i.id);
      throw new ApiError(400, 'InvalidParameterValue', `The filter '${f.Name}' is invalid`);
    };
    const found = [...this.instances.values()].filter((i) => (!ids || ids.includes(i.id)) && filters.every((f) => match(i, f)));
    return { Reservations: found.map((i) => this.reservation([i])) };
  }

  private change(input: Input, act: (i: FakeInstance) => void): Record<string, unknown>[] {
    const ids = input.InstanceIds as string[];
    const missing = ids.find((i) => !this.instances.has(i));
    if (missing) throw new ApiError(400, 'InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
    return ids.map((iid) => {
      const i = this.instances.get(iid)!;
      const prev = { Code: CODES[i.state], Name: i.state };
      act(i);
      return { InstanceId: iid, PreviousState: prev, CurrentState: { Code: CODES[i.state], Name: i.state } };
    });
  }

  private terminate(i: FakeInstance): void {
    if (i.state === 'terminated' || i.state === 'shutting-down') return;
    const hadHost = i.ip !== undefined || this.pendingHosts.has(i.id);
    i.state = 'shutting-down';
    const p = (this.pendingHosts.get(i.id) ?? Promise.resolve())
      .then(() => (this.hosts && hadHost ? this.hosts.remove(i.id) : undefined))
      .then(() => {
        i.state = 'terminated';
        i.ip = undefined;
      });
    this.pendingHosts.set(i.id, p.catch(() => undefined));
  }

  private stop(i: FakeInstance): void {
    if (i.state !== 'running') return;
    i.state = 'stopping';
    const p = (this.hosts ? this.hosts.stop(i.id) : Promise.resolve()).then(() => {
      i.state = 'stopped';
    });
    this.pendingHosts.set(i.id, p.catch(() => undefined));
  }

  private start(i: FakeInstance): void {
    if (i.state !== 'stopped') return;
    i.state = 'pending';
    this.bringUp(i, () => this.hosts!.start(i.id));
  }
}
