/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers as JavaScript prints them.
 * Both ends hash exactly these bytes, so an event's hash does not depend on how a JSON library
 * happened to order keys. Refuses what JSON cannot carry faithfully (undefined, NaN, Infinity,
 * functions, cycles) instead of silently changing it.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
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
      seen.add(value);
      let out: string;
      if (Array.isArray(value)) {
        out = `[${value.map((v) => write(v, seen)).join(',')}]`;
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) throw new TypeError('canonical JSON carries plain objects only');
        const keys = Object.keys(value).sort();
        out = `{${keys
          .map((k) => {
            const v = (value as Record<string, unknown>)[k];
            if (v === undefined) throw new TypeError(`canonical JSON cannot carry undefined (key ${k})`);
            return `${JSON.stringify(k)}:${write(v, seen)}`;
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
