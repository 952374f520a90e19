// Asks for "yes" on a TTY; without a TTY apply refuses rather than guess.
import readline from 'node:readline/promises';
import { UsageError } from '../errors.js';

export async function confirmOrRefuse(question: string, autoApprove: boolean): Promise<boolean> {
  if (autoApprove) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError('no terminal to ask for confirmation: pass -y (--auto-approve) to apply without asking');
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`\n${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
