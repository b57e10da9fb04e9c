/**
 * What `kawei-central serve` gives the report service (issue #14): the experts' trust list, read
 * again whenever a file of its folder changes (a technician drops in a new CA or CRL, as for the
 * booths: booth-signer.node.ts), and the supervisors' certificates the identity annex is sealed for.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadTrustListFolder } from '@kawei/shared/signing/trust-list.node.ts';
import type { TrustList } from '@kawei/shared/signing/trust-list.ts';

/** Names, sizes and mtimes of the trust folder's files: changes when one is replaced. */
function folderStamp(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((n) => /\.(pem|crt|crl)$/i.test(n))
      .sort()
      .map((n) => {
        const st = statSync(join(dir, n));
        return `${n}:${st.size}:${st.mtimeMs}`;
      })
      .join('|');
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
}

/**
 * The trust list of `dir`, read now (a bad folder fails `serve` at start, not at the first
 * signature) and again when its files change; null while the folder holds no file yet (a demo
 * central whose booths' CAs are copied in as their tokens are made). A folder that turns bad later
 * keeps the last good list and says so through `warn`.
 */
export function watchedTrustList(dir: string, warn: (message: string) => void = () => undefined): () => TrustList | null {
  const read = (stamp: string): TrustList | null => (stamp === '' ? null : loadTrustListFolder(dir));
  if (!statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  const first = folderStamp(dir);
  let current = { list: read(first), stamp: first };
  return () => {
    const stamp = folderStamp(dir);
    if (stamp === current.stamp) return current.list;
    try {
      current = { list: read(stamp), stamp };
    } catch (error) {
      warn(`trust list ${dir} could not be read again, the previous one stays: ${(error as Error).message}`);
      current = { ...current, stamp };
    }
    return current.list;
  };
}

/** Certificates (DER) from PEM files (any number of CERTIFICATE blocks) or DER files. Throws naming the file. */
export function readCertificateFiles(files: readonly string[]): Uint8Array[] {
  return files.flatMap((file) => {
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    if (!text.includes('-----BEGIN')) return [new Uint8Array(bytes)];
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error(`${file}: no CERTIFICATE block`);
    return blocks.map((b) => new Uint8Array(Buffer.from(b.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64')));
  });
}
