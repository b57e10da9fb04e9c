/**
 * @peculiar/x509 resolves its algorithm providers through tsyringe, which refuses to load unless a
 * Reflect metadata API exists (normally the `reflect-metadata` package, not installed here). This is
 * the small part of that API tsyringe calls, installed only when nothing else provides it. Import it
 * before `@peculiar/x509` — x509.ts does — and import x509 through x509.ts.
 */
type MetadataMap = Map<unknown, unknown>;
const store = new WeakMap<object, Map<PropertyKey | undefined, MetadataMap>>();

function table(target: object, key: PropertyKey | undefined, create: boolean): MetadataMap | undefined {
  let byKey = store.get(target);
  if (byKey === undefined) {
    if (!create) return undefined;
    byKey = new Map();
    store.set(target, byKey);
  }
  let map = byKey.get(key);
  if (map === undefined && create) {
    map = new Map();
    byKey.set(key, map);
  }
  return map;
}

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  const getOwnMetadata = (metadataKey: unknown, target: object, key?: PropertyKey): unknown => table(target, key, false)?.get(metadataKey);
  const getMetadata = (metadataKey: unknown, target: object, key?: PropertyKey): unknown => {
    for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
      const map = table(o, key, false);
      if (map?.has(metadataKey)) return map.get(metadataKey);
    }
    return undefined;
  };
  const defineMetadata = (metadataKey: unknown, value: unknown, target: object, key?: PropertyKey): void => {
    table(target, key, true)!.set(metadataKey, value);
  };
  Object.assign(reflect, {
    getOwnMetadata,
    getMetadata,
    defineMetadata,
    hasMetadata: (k: unknown, t: object, p?: PropertyKey) => getMetadata(k, t, p) !== undefined,
    hasOwnMetadata: (k: unknown, t: object, p?: PropertyKey) => table(t, p, false)?.has(k) ?? false,
    metadata: (k: unknown, v: unknown) => (target: object, p?: PropertyKey) => defineMetadata(k, v, target, p),
  });
}

export {};
