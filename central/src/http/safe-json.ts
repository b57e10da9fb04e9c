import { ApiError } from '@kawei/shared/errors.ts';
import { isPoisonedKey } from '@kawei/shared/sync/canonical-json.ts';

/**
 * The deepest nesting of arrays and objects a request body may have. A push is body → events[] →
 * event → payload, and an event payload may nest as deep as canonical JSON writes
 * (MAX_CANONICAL_DEPTH, 64), so every event a device can seal fits; anything far deeper is an
 * attack on the recursive code after the parser (zod, canonical JSON), which would otherwise end in
 * a stack overflow and a 500.
 */
export const MAX_BODY_JSON_DEPTH = 100;

/**
 * JSON.parse for request bodies, refusing with BAD_INPUT (400):
 *   - text that is not JSON;
 *   - nesting deeper than `maxDepth`, measured by a linear scan of the text BEFORE parsing, so no
 *     deep value is ever built;
 *   - `__proto__` keys and `constructor.prototype` (secure-json-parse's rule, shared with canonical
 *     JSON through isPoisonedKey): such a key does not survive being copied, so an event carrying
 *     it could never verify, and later merges could pollute prototypes.
 */
export function parseJsonBody(text: string, maxDepth = MAX_BODY_JSON_DEPTH): unknown {
  const depth = jsonNestingDepth(text);
  if (depth > maxDepth) {
    throw new ApiError('BAD_INPUT', `request body nests ${depth} levels deep; at most ${maxDepth} are accepted`, { maxDepth });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError('BAD_INPUT', 'request body is not valid JSON');
  }
  // Only texts that could spell one of the keys are walked (escapes included: "\u005f_proto__").
  if (/proto|constructor|\\u/i.test(text)) {
    const path = poisonedKeyPath(value);
    if (path !== null) {
      throw new ApiError('BAD_INPUT', `request body has the key ${JSON.stringify(path)}, which is not accepted (__proto__, constructor.prototype)`, {
        path,
      });
    }
  }
  return value;
}

/**
 * The deepest nesting of `[`/`{` in JSON text, ignoring brackets inside strings. Linear, no
 * recursion; malformed text gets some number and is then refused by JSON.parse.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return deepest;
}

/** Where the first refused key is ("payload.a.__proto__"), or null. The depth is already bounded. */
function poisonedKeyPath(value: unknown, path = ''): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = poisonedKeyPath(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    const here = path === '' ? key : `${path}.${key}`;
    if (isPoisonedKey(key, child)) return here;
    const found = poisonedKeyPath(child, here);
    if (found !== null) return found;
  }
  return null;
}
