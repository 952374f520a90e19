// The image reference grammar of the Docker distribution project (reference.go's documented grammar), as
// regular expressions: no well-kept npm package parses it, and the grammar is short.
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] path-component [ "/" path-component ]*
//   domain     := host [ ":" port ]         host: DNS labels joined by ".", or "[" IPv6 "]"
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest     := algorithm ":" hex         algorithm: [A-Za-z][A-Za-z0-9]* joined by [+._-]; hex: 32+ of [0-9a-fA-F]

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
/** The distribution project caps the name (domain and path) at 255 characters. */
const NAME_MAX = 255;

export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** The parts of a reference, or why it is not one (a short phrase to follow "is not a valid image reference: "). */
export function parseImageReference(ref: string): ImageReference | { problem: string } {
  const m = REFERENCE_RE.exec(ref);
  if (!m) {
    if (ref === '') return { problem: 'it is empty' };
    const lower = ref.toLowerCase();
    if (lower !== ref && REFERENCE_RE.test(lower)) return { problem: 'the repository name must be lower-case' };
    return { problem: 'expected [HOST[:PORT]/]NAME[:TAG][@DIGEST], e.g. nginx:1.27 or registry.example.com:5000/team/app@sha256:…' };
  }
  const [, name, tag, digest] = m;
  if (name.length > NAME_MAX) return { problem: `the name is longer than ${NAME_MAX} characters` };
  if (digest !== undefined) {
    const [algorithm, hex] = digest.split(':');
    if (algorithm === 'sha256' && hex.length !== 64) return { problem: 'a sha256 digest has 64 hex digits' };
    if (algorithm === 'sha512' && hex.length !== 128) return { problem: 'a sha512 digest has 128 hex digits' };
  }
  const out: ImageReference = { name };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

export function isImageReference(ref: unknown): ref is string {
  return typeof ref === 'string' && !('problem' in parseImageReference(ref));
}

/**
 * The name an image goes by when its reference holds a sensitive value: `(sensitive)#` and 12 hex digits (see
 * plan/image-name.ts). It stands in for the reference in addresses and the state.
 */
export const SENSITIVE_IMAGE_NAME_RE = /^\(sensitive\)#[0-9a-f]{12}$/;
