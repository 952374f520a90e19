// What a test file needs from the machine (root, dockerd, /dev/net/tun...) and what happens when it is missing:
// on a developer's box the tests skip (and the run's closing line counts them), but under CI=true the setup
// scripts were meant to provide everything, so a missing prerequisite fails the run with its name instead of
// quietly taking the only real run of a code path with it.
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

export interface Prerequisite {
  /** What is missing, as the failure names it. */
  name: string;
  /** Where it should have come from. */
  from: string;
  present(): boolean;
}

const file = (path: string, from: string): Prerequisite => ({ name: path, from, present: () => existsSync(path) });

export const ROOT: Prerequisite = { name: 'root', from: 'run the tests as root', present: () => process.getuid?.() === 0 };
export const DOCKERD = file('/usr/sbin/dockerd', 'scripts/setup-host.sh (docker.io)');
export const SSHD = file('/usr/sbin/sshd', 'scripts/setup-host.sh (openssh-server)');
export const IP = file('/usr/sbin/ip', 'scripts/setup-host.sh (iproute2)');
export const IPTABLES = file('/usr/sbin/iptables', 'scripts/setup-host.sh (iptables)');
export const TUN = file('/dev/net/tun', 'scripts/setup-heavy-hosts.sh (mknod)');
export const TMUX = file('/usr/bin/tmux', 'scripts/setup-host.sh (tmux)');
export const CURL = file('/usr/bin/curl', 'scripts/setup-host.sh (curl)');

/** Sandbox machines: network namespaces with their own dockerd and sshd. */
export const SANDBOX: Prerequisite[] = [ROOT, DOCKERD, SSHD, IP, IPTABLES];

export const missing = (needs: Prerequisite[]): Prerequisite[] => needs.filter((p) => !p.present());

const inCi = (): boolean => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

type Suite = (title: string, body: () => void) => void;

/**
 * `describe` when everything in `needs` is present. Otherwise a skipped suite whose title names what is
 * missing, or, under CI=true, one failing test naming it (the suite's own tests are not registered).
 */
export function describeNeeding(needs: Prerequisite[]): Suite {
  const absent = missing(needs);
  if (absent.length === 0) return (title, body) => describe(title, body);
  const names = absent.map((p) => p.name).join(', ');
  if (!inCi()) return (title, body) => describe.skip(`${title} (skipped: no ${names})`, body);
  return (title) =>
    describe(title, () => {
      it(`has its prerequisites: ${names}`, () => {
        throw new Error(`missing under CI: ${absent.map((p) => `${p.name} (from ${p.from})`).join(', ')}`);
      });
    });
}
