// Which declared registry an image reference names: its domain (HOST[:PORT]) against each registry's address.
import type { RegistrySpec } from './desired.js';
import { parseImageReference } from './image-reference.js';

/** The reference's registry domain, as the distribution grammar reads it; undefined for Docker Hub names. */
export function referenceDomain(ref: string): string | undefined {
  const parsed = parseImageReference(ref);
  if ('problem' in parsed) return undefined;
  const slash = parsed.name.indexOf('/');
  if (slash < 0) return undefined;
  const first = parsed.name.slice(0, slash);
  // As the distribution project decides: a first component with a dot or a port, or localhost, is a domain.
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

export function registryOf(ref: string, registries: Record<string, RegistrySpec> | undefined): RegistrySpec | undefined {
  // No registry declared (most files): no reference to parse (10,000 containers asked).
  const declared = registries ? Object.values(registries) : [];
  if (declared.length === 0) return undefined;
  const domain = referenceDomain(ref);
  if (domain === undefined) return undefined;
  return declared.find((r) => r.address === domain);
}
