// Turns the bytes of a state file into a State, or a StateError that says why mfile will not touch it.
import { StateError } from '../errors.js';
import { STATE_FORMAT_VERSION, type State } from '../model/state.js';
import { MFILE_VERSION } from '../version.js';
import { backupPathFor } from './state-path.js';
import { stateNameProblem } from './state-names.js';
import { compareVersions } from './version-compare.js';

function refuse(file: string, why: string): StateError {
  return new StateError(
    `state file ${file} ${why}; refusing to use or overwrite it; restore ${backupPathFor(file)} or fix it`,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseState(file: string, text: string): State {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw refuse(file, `is not valid JSON (${(err as Error).message.replace(/\s+/g, ' ')})`);
  }
  if (!isRecord(data)) throw refuse(file, 'is not an mfile state (not a JSON object)');

  // Check "newer" before the shape: a newer format may legitimately look different.
  const format = data.version;
  const writer = data.mfile_version;
  const newerFormat = typeof format === 'number' && format > STATE_FORMAT_VERSION;
  const newerWriter = typeof writer === 'string' && compareVersions(writer, MFILE_VERSION) > 0;
  if (newerFormat || newerWriter) {
    throw new StateError(
      `state file ${file} was written by mfile ${String(writer ?? 'unknown')} (format ${String(format)}), ` +
        `newer than this mfile ${MFILE_VERSION}; upgrade mfile`,
    );
  }

  const problems: string[] = [];
  if (format !== STATE_FORMAT_VERSION) problems.push(`version must be ${STATE_FORMAT_VERSION}`);
  if (typeof writer !== 'string') problems.push('mfile_version must be a string');
  if (typeof data.lineage !== 'string' || data.lineage === '') problems.push('lineage must be a non-empty string');
  if (!Number.isSafeInteger(data.serial) || (data.serial as number) < 0) problems.push('serial must be a whole number');
  if (!isRecord(data.machines)) problems.push('machines must be an object');
  if (!isRecord(data.objects)) problems.push('objects must be an object');
  if (problems.length) throw refuse(file, `is not a valid mfile state (${problems.join('; ')})`);
  const badName = stateNameProblem(data.machines as Record<string, unknown>, data.objects as Record<string, unknown>);
  if (badName) throw refuse(file, `is not a valid mfile state (${badName})`);
  return data as unknown as State;
}
