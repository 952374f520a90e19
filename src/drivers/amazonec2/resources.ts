// The machine's key pair and security group: made before the instance, found again by name on a rerun, deleted
// with the machine.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  ImportKeyPairCommand,
  type EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { awsCode, call, ec2Failure } from './client.js';

/** Replaces the key pair of that name with the machine's key (a key pair left by a crashed create included). */
export async function putKeyPair(c: EC2Client, machine: string, name: string, publicKey: string, tags: Tag[]): Promise<void> {
  await call(machine, 'DeleteKeyPair', () => c.send(new DeleteKeyPairCommand({ KeyName: name })));
  await call(machine, 'ImportKeyPair', () =>
    c.send(new ImportKeyPairCommand({ KeyName: name, PublicKeyMaterial: new TextEncoder().encode(publicKey), TagSpecifications: [{ ResourceType: 'key-pair', Tags: tags }] })),
  );
}

export async function deleteKeyPair(c: EC2Client, machine: string, name: string): Promise<void> {
  await call(machine, 'DeleteKeyPair', () => c.send(new DeleteKeyPairCommand({ KeyName: name })));
}

async function vpcOf(c: EC2Client, machine: string, subnetId: string | undefined): Promise<string | undefined> {
  if (!subnetId) return undefined;
  const r = await call(machine, 'DescribeSubnets', () => c.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })));
  return r.Subnets?.[0]?.VpcId;
}

export async function findGroup(c: EC2Client, machine: string, name: string): Promise<string | undefined> {
  const r = await call(machine, 'DescribeSecurityGroups', () =>
    c.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] })),
  );
  return r.SecurityGroups?.[0]?.GroupId;
}

export interface GroupRules {
  sshSources: string[];
  /** Undefined: the engine is reached over SSH only, no port to open. */
  engine?: { port: number; sources: string[] };
}

/** The machine's security group (made, or found from an earlier try) with SSH and the engine port open. */
export async function ensureGroup(c: EC2Client, machine: string, name: string, subnetId: string | undefined, rules: GroupRules, tags: Tag[]): Promise<string> {
  let id = await findGroup(c, machine, name);
  if (!id) {
    const VpcId = await vpcOf(c, machine, subnetId);
    const r = await call(machine, 'CreateSecurityGroup', () =>
      c.send(
        new CreateSecurityGroupCommand({
          GroupName: name,
          Description: `mfile machine ${machine}: SSH and the Docker engine port`,
          ...(VpcId ? { VpcId } : {}),
          TagSpecifications: [{ ResourceType: 'security-group', Tags: tags }],
        }),
      ),
    );
    id = r.GroupId!;
  }
  const perms = [{ port: 22, sources: rules.sshSources }, ...(rules.engine ? [rules.engine] : [])].map((p) => {
    const v4 = p.sources.filter((s) => !s.includes(':')).map((CidrIp) => ({ CidrIp }));
    const v6 = p.sources.filter((s) => s.includes(':')).map((CidrIpv6) => ({ CidrIpv6 }));
    return { IpProtocol: 'tcp', FromPort: p.port, ToPort: p.port, ...(v4.length ? { IpRanges: v4 } : {}), ...(v6.length ? { Ipv6Ranges: v6 } : {}) };
  });
  try {
    await c.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: perms }));
  } catch (err) {
    // A group found from an earlier try already has its rules.
    if (awsCode(err) !== 'InvalidPermission.Duplicate') throw ec2Failure(machine, 'AuthorizeSecurityGroupIngress', err);
  }
  return id;
}

export async function deleteGroup(c: EC2Client, machine: string, groupId: string): Promise<'deleted' | 'in-use'> {
  try {
    await c.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    return 'deleted';
  } catch (err) {
    const code = awsCode(err);
    if (code === 'InvalidGroup.NotFound') return 'deleted';
    // The terminated instance's network interface goes a little after the instance.
    if (code === 'DependencyViolation') return 'in-use';
    throw ec2Failure(machine, 'DeleteSecurityGroup', err);
  }
}
