import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { crlPemBlocks, readCrls, type RevocationList, type TrustListProblem } from './crl.ts';
import { SigningError } from './signing-errors.ts';
import { certificatesFromPem, type TrustList } from './trust-list.ts';

const folderSchema = z.string().min(1);

/**
 * Loads every `*.pem` / `*.crt` file in `folder` (each may hold several certificates) as trust
 * anchors. An unreadable or certificate-less file is an error, not skipped: a silently shorter trust
 * list would refuse experts at the worst moment without saying why.
 *
 * CRLs are read from the same folder: `*.crl` files (DER, or PEM `X509 CRL` blocks) and `X509 CRL`
 * blocks inside the `*.pem` / `*.crt` files (such a file may hold CRLs only). They go into
 * `TrustList.crls` unverified — each is used only once its CA's key verifies it (trust-list.ts) — and
 * one that cannot be read (garbage, a delta CRL…) into `TrustList.problems`: never an error, so a bad
 * CRL download does not stop the booth. `checkTrustListCrls(trust)` tells which CRLs are used.
 */
export function loadTrustListFolder(folder: string): TrustList {
  const dir = folderSchema.parse(folder);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(pem|crt|crl)$/i.test(n)).sort();
  } catch (error) {
    throw new SigningError('TRUST_LIST_BAD_FILE', `${dir}: ${(error as Error).message}`, { cause: error });
  }
  const crls: RevocationList[] = [];
  const problems: TrustListProblem[] = [];
  const take = (read: { crls: RevocationList[]; problems: TrustListProblem[] }): void => {
    crls.push(...read.crls);
    problems.push(...read.problems);
  };
  const anchors = names.flatMap((name) => {
    const file = join(dir, name);
    if (/\.crl$/i.test(name)) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (error) {
        problems.push({ source: file, reason: `unreadable: ${(error as Error).message}` });
        return [];
      }
      take(readCrls(bytes, file));
      if (new TextDecoder().decode(bytes).includes('-----BEGIN CERTIFICATE-----')) {
        problems.push({ source: file, reason: 'certificates in a .crl file are not trust anchors: ignored (put CA certificates in .pem / .crt files)' });
      }
      return [];
    }
    let text: string;
    let certs;
    try {
      text = readFileSync(file, 'utf8');
      certs = certificatesFromPem(text);
    } catch (error) {
      throw new SigningError('TRUST_LIST_BAD_FILE', `${file}: ${(error as Error).message}`, { cause: error });
    }
    const crlBlocks = crlPemBlocks(text);
    if (certs.length === 0 && crlBlocks.length === 0) throw new SigningError('TRUST_LIST_BAD_FILE', `${file}: no CERTIFICATE block`);
    if (crlBlocks.length > 0) take(readCrls(crlBlocks.join('\n'), file));
    return certs;
  });
  if (anchors.length === 0) throw new SigningError('TRUST_LIST_EMPTY', dir);
  return { anchors, crls, problems };
}

/**
 * Names, sizes and mtimes of a trust folder's files: it changes when a technician adds or replaces a
 * CA or a CRL, so a long-running process (a booth, the central) reads the folder again only then.
 */
export function trustFolderStamp(dir: string): string {
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
