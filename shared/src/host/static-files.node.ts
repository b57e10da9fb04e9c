import { readFile, stat } from 'node:fs/promises';
import { confineToRoot, mimeTypeFor } from '../security/renderer-files.ts';

/**
 * Maps a URL path onto a file inside `root`, or null when it is malformed or would leave `root`
 * (../ after decoding, NUL, backslashes). "/" is index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  return confineToRoot(root, decoded);
}

export async function readStaticFile(root: string, urlPath: string): Promise<{ body: Buffer; type: string } | null> {
  const path = resolveStaticPath(root, urlPath);
  if (!path) return null;
  try {
    if (!(await stat(path)).isFile()) return null;
    return { body: await readFile(path), type: mimeTypeFor(path) };
  } catch {
    return null;
  }
}
