import { Command } from 'commander';
import { addConfigOptions } from './common.js';
import { collectList, parseBool, parseDurationMs } from './options.js';

/** Options of every verb that plans: plan, apply, destroy. */
export function addPipelineOptions(cmd: Command): Command {
  return addConfigOptions(cmd)
    .option('--target <ADDR>', 'limit to an address or glob, with its dependencies (repeatable)', collectList, [])
    .option('--refresh <BOOL>', 'ask the machines what is really there before planning', parseBool, true)
    .option('--lock-timeout <DURATION>', 'wait this long for a state lock held by another mfile', parseDurationMs, 0);
}
