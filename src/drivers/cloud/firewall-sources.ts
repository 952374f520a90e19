// Which addresses a cloud firewall lets reach SSH and the Docker API port. The default is the whole internet
// for both (mfile cannot know where its controller will run from); the planner flags a world-open engine
// port, which only mutual TLS then guards.
export const WORLD = ['0.0.0.0/0', '::/0'];

export function sourcesOf(value: unknown): string[] {
  return Array.isArray(value) && value.length > 0 ? value.map(String) : WORLD;
}

export function worldOpen(sources: string[]): boolean {
  return sources.some((s) => WORLD.includes(s));
}
