// The power verbs' commands on the Docker service. Under systemd, docker.socket would start docker.service
// again on the first request, and the unit's Restart=always would bring a killed dockerd back: stop and kill
// must leave both down.
import { describe, expect, it } from 'vitest';
import { killDockerdCommand, startDockerCommand, stopDockerServiceCommand, supervisedRestartCommand } from '../../../src/remote/provision/commands.js';

describe('Docker service power commands', () => {
  it('systemd: stop stops docker.socket first, kill sends SIGKILL and then stops the unit, start starts it', () => {
    const stop = stopDockerServiceCommand(true);
    expect(stop.slice(0, 2)).toEqual(['sh', '-c']);
    expect(stop[2].split('\n')).toEqual([
      'if systemctl cat docker.socket >/dev/null 2>&1; then systemctl stop docker.socket; fi',
      'systemctl stop docker',
    ]);
    expect(killDockerdCommand(true)[2].split('\n').slice(1)).toEqual(['systemctl kill -s KILL docker', 'systemctl stop docker']);
    expect(startDockerCommand(true, '/usr/sbin/dockerd')).toEqual(['systemctl', 'start', 'docker']);
  });

  it('without systemd: start is the supervised start, kill SIGKILLs the dockerd of the pid file', () => {
    expect(startDockerCommand(false, '/usr/sbin/dockerd')).toEqual(supervisedRestartCommand('/usr/sbin/dockerd'));
    const kill = killDockerdCommand(false)[2];
    expect(kill).toContain('p=$(cat /var/run/docker.pid 2>/dev/null)');
    expect(kill).toContain('kill -9 "$p"');
  });
});
