// Image references as the engine reports them: `nginx` is `nginx:latest`, Docker Hub prefixes dropped.
import type { ObservedImage } from '../model/index.js';

export function normaliseImageRef(ref: string): string {
  let r = ref;
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (r.startsWith(prefix)) {
      r = r.slice(prefix.length);
      break;
    }
  }
  if (r.includes('@')) return r;
  const lastSegment = r.slice(r.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? r : `${r}:latest`;
}

/** normalised ref -> image id, from tags and digests. */
export function imageIndex(images: readonly ObservedImage[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const img of images) {
    for (const t of img.repoTags) if (t !== '<none>:<none>') index.set(normaliseImageRef(t), img.id);
    for (const d of img.repoDigests ?? []) if (!d.startsWith('<none>')) index.set(normaliseImageRef(d), img.id);
  }
  return index;
}

/** `sha256:0123456789abcdef...` -> `0123456789ab`, as `docker ps` shows ids. */
export function shortId(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  return hex.slice(0, 12);
}
