// Run a program on the controller (ip, iptables, ssh-keygen) with an argv array; failures name the machine.
import { execFile } from 'node:child_process';
import { DriverError } from '../../errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(machine: string, file: string, args: string[], opts: { check?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      if (err && opts.check !== false) {
        const why = (stderr || err.message).trim().split('\n').slice(-3).join(' | ');
        return reject(new DriverError(machine, `${file} ${args.join(' ')} failed: ${why}`));
      }
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like run, with bytes on stdin (e.g. `ip -batch -`). */
export function runWithInput(machine: string, file: string, args: string[], input: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const why = (stderr || err.message).trim().split('\n').slice(-3).join(' | ');
        return reject(new DriverError(machine, `${file} ${args.join(' ')} failed: ${why}`));
      }
      resolve({ code: 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}
