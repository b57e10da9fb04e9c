/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers as JavaScript prints them.
 * Both ends hash exactly these bytes, so an event's hash does not depend on how a JSON library
 * happened to order keys. Refuses what JSON cannot carry faithfully (undefined, NaN, Infinity,
 * functions, cycles) instead of silently changing it.
 *
 * It also refuses what the other end could not read back identically, so that a document a device
 * hashes and signs is always one the central can verify (a refused event is refused when the
 * device makes it, never after it has entered the device's append-only log, where it would block
 * every later event):
 *   - a `__proto__` key: JSON.parse keeps it as an own key, but any copy made by assignment (zod,
 *     spreading, the central's parser) turns it into a prototype, so the hash no longer matches;
 *   - a `constructor` object holding a `prototype` key, refused alongside for the same reason
 *     (secure-json-parse refuses both);
 *   - nesting deeper than MAX_CANONICAL_DEPTH: the central refuses deeper request bodies before
 *     parsing them, and nothing Kawei signs comes near it.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Deepest nesting of arrays and objects canonicalJson writes (the top-level value is depth 1). */
export const MAX_CANONICAL_DEPTH = 64;

export function canonicalJson(value: unknown): string {
  return write(value, new Set(), 0);
}

/**
 * Whether an object key sequence is one canonical JSON refuses: `__proto__` anywhere, or
 * `constructor` whose value is an object with a `prototype` key. Shared with the central's request
 * parser (central/src/http/safe-json.ts), so both ends draw the line in the same place.
 */
export function isPoisonedKey(key: string, value: unknown): boolean {
  if (key === '__proto__') return true;
  return key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype');
}

function write(value: unknown, seen: Set<object>, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot carry ${value}`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (seen.has(value)) throw new TypeError('canonical JSON cannot carry a cycle');
      if (depth >= MAX_CANONICAL_DEPTH) throw new TypeError(`canonical JSON nests at most ${MAX_CANONICAL_DEPTH} levels deep`);
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value.map((v) => write(v, seen, depth + 1)).join(',')}]`;
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) throw new TypeError('canonical JSON carries plain objects only');
        const keys = Object.keys(value).sort();
        out = `{${keys
          .map((k) => {
            const v = (value as Record<string, unknown>)[k];
            if (v === undefined) throw new TypeError(`canonical JSON cannot carry undefined (key ${k})`);
            if (isPoisonedKey(k, v)) throw new TypeError(`canonical JSON refuses the key ${JSON.stringify(k)} (it would not read back as the same object)`);
            return `${JSON.stringify(k)}:${write(v, seen, depth + 1)}`;
          })
          .join(',')}}`;
      }
      seen.delete(value);
      return out;
    }
    default:
      throw new TypeError(`canonical JSON cannot carry a ${typeof value}`);
  }
}
