// js-yaml ships no type declarations and is, for now, only a transitive dependency (of
// electron-builder and eslint). The one function the tests use; replace with @types/js-yaml once
// js-yaml is a devDependency of its own.
declare module 'js-yaml' {
  export function load(source: string, options?: { filename?: string }): unknown;
}
