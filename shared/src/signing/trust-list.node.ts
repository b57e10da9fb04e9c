import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SigningError } from './signing-errors.ts';
import { certificatesFromPem, type TrustList } from './trust-list.ts';

const folderSchema = z.string().min(1);

/**
 * Loads every `*.pem` / `*.crt` file in `folder` (each may hold several certificates) as trust
 * anchors. An unreadable or certificate-less file is an error, not skipped: a silently shorter trust
 * list would refuse experts at the worst moment without saying why.
 */
export function loadTrustListFolder(folder: string): TrustList {
  const dir = folderSchema.parse(folder);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.(pem|crt)$/i.test(n)).sort();
  } catch (error) {
    throw new SigningError('TRUST_LIST_BAD_FILE', `${dir}: ${(error as Error).message}`, { cause: error });
  }
  const anchors = names.flatMap((name) => {
    const file = join(dir, name);
    let certs;
    try {
      certs = certificatesFromPem(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new SigningError('TRUST_LIST_BAD_FILE', `${file}: ${(error as Error).message}`, { cause: error });
    }
    if (certs.length === 0) throw new SigningError('TRUST_LIST_BAD_FILE', `${file}: no CERTIFICATE block`);
    return certs;
  });
  if (anchors.length === 0) throw new SigningError('TRUST_LIST_EMPTY', dir);
  return { anchors };
}
