/**
 * What `kawei-central serve` gives the report service (issue #14): the experts' trust list, read
 * again whenever a file of its folder changes (a technician drops in a new CA or CRL, as for the
 * booths: booth-signer.node.ts), and the supervisors' certificates the identity annex is sealed for.
 */
import { readFileSync, statSync } from 'node:fs';
import { loadTrustListFolder, trustFolderStamp } from '@kawei/shared/signing/trust-list.node.ts';
import type { TrustList } from '@kawei/shared/signing/trust-list.ts';
import { readRegistryFile } from '../experts/registry-file.node.ts';

/**
 * The trust list of `dir`, read now (a bad folder fails `serve` at start, not at the first
 * signature) and again when its files change; null while the folder holds no file yet (a demo
 * central whose booths' CAs are copied in as their tokens are made). A folder that turns bad later
 * keeps the last good list and says so through `warn`.
 */
export function watchedTrustList(dir: string, warn: (message: string) => void = () => undefined): () => TrustList | null {
  const read = (stamp: string): TrustList | null => (stamp === '' ? null : loadTrustListFolder(dir));
  if (!statSync(dir).isDirectory()) throw new Error(`${dir}: not a folder`);
  const first = trustFolderStamp(dir);
  let current = { list: read(first), stamp: first };
  return () => {
    const stamp = trustFolderStamp(dir);
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

/**
 * The certificates (DER) in one file's bytes: PEM (any number of CERTIFICATE blocks) or DER; null for
 * a PEM file without a certificate (a private key given by mistake).
 */
export function certificatesInFile(bytes: Uint8Array): Uint8Array[] | null {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (!text.includes('-----BEGIN')) return [new Uint8Array(bytes)];
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return null;
  return blocks.map((b) => new Uint8Array(Buffer.from(b.replace(/-----[A-Z ]+-----|\s+/g, ''), 'base64')));
}

/** Certificates (DER) from PEM or DER files. Throws naming the file. */
export function readCertificateFiles(files: readonly string[]): Uint8Array[] {
  return files.flatMap((file) => {
    const found = certificatesInFile(readFileSync(file));
    if (found === null) throw new Error(`${file}: no CERTIFICATE block`);
    return found;
  });
}

/**
 * The experts' names from the registry folder (`--experts DIR`, DIR/experts.json, the file the face
 * registry reads): the identity annex's name column. Read once, at start (a bad registry is an
 * argument error); an expert missing from it shows by id.
 */
export function expertNamesFrom(dir: string): (expert: string) => string | null {
  const names = new Map(readRegistryFile(dir).map((e) => [e.id, e.name]));
  return (expert) => names.get(expert) ?? null;
}
