// `__proto__` is not a usable key: JavaScript objects read it as their prototype, so an environment variable,
// label or name spelled so would vanish (or change what every lookup sees). It is refused where it is written
// (the positioned reader's tree check is checkReservedKeys in positioned-source.ts; the fast reader declines such files).

export const RESERVED_KEY = '__proto__';

export const reservedKeyMessage = (what: string): string =>
  `'${RESERVED_KEY}' cannot be used as ${what}: it names JavaScript's object prototype; rename it`;
