import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { z } from 'zod';
import { bilingualError } from '../i18n/bilingual.ts';
import { parseCertificate, toArrayBuffer } from './trust-list.ts';

/**
 * CMS EnvelopedData (RFC 5652 §6) for files only named people may read — the report's identity annex,
 * encrypted for the supervision office's certificates. The content is encrypted once with a random
 * AES-256-CBC key (CBC, not GCM: OpenSSL reads AES-GCM only in AuthEnvelopedData), and that key is
 * given to every recipient: RSA certificates by RSA-OAEP (SHA-256) key transport, EC P-256 ones by
 * ECDH key agreement (dhSinglePass-stdDH-sha256kdf with AES-256 key wrap, RFC 5753). Either kind is
 * decrypted by `openssl cms -decrypt -inform DER -recip cert.pem -inkey key.pem`.
 */

const OID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';

const engine = new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: webcrypto as unknown as Crypto });

const inputSchema = z.object({
  data: z.instanceof(Uint8Array),
  recipients: z.array(z.instanceof(Uint8Array)).min(1).max(64),
});

type Kind = 'rsa' | 'ec';

function kindOf(der: Uint8Array, index: number): Kind {
  let name: string;
  let curve: string | undefined;
  try {
    const algorithm = parseCertificate(der).publicKey.algorithm as EcKeyAlgorithm;
    name = algorithm.name;
    curve = algorithm.namedCurve;
  } catch (error) {
    throw bilingualError('pades.envelopeBadRecipient', { index: index + 1, detail: (error as Error).message });
  }
  if (name === 'RSASSA-PKCS1-v1_5' || name === 'RSA-OAEP' || name === 'RSA-PSS') return 'rsa';
  if ((name === 'ECDSA' || name === 'ECDH') && curve === 'P-256') return 'ec';
  throw bilingualError('pades.envelopeBadRecipient', { index: index + 1, detail: `${name} ${curve ?? ''}`.trim() });
}

/** DER ContentInfo(EnvelopedData) of `data` for every certificate in `recipients` (DER, RSA or EC P-256). */
export async function sealForRecipients(data: Uint8Array, recipients: Uint8Array[]): Promise<Uint8Array> {
  const parsed = inputSchema.safeParse({ data, recipients });
  if (!parsed.success) {
    if (Array.isArray(recipients) && recipients.length === 0) throw bilingualError('pades.envelopeNoRecipients');
    throw bilingualError('pades.envelopeBadRecipient', { index: 0, detail: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  const enveloped = new pkijs.EnvelopedData();
  parsed.data.recipients.forEach((der, index) => {
    const kind = kindOf(der, index);
    let certificate: pkijs.Certificate;
    try {
      certificate = pkijs.Certificate.fromBER(toArrayBuffer(der));
    } catch (error) {
      throw bilingualError('pades.envelopeBadRecipient', { index: index + 1, detail: (error as Error).message });
    }
    const ok =
      kind === 'rsa'
        ? enveloped.addRecipientByCertificate(certificate, { oaepHashAlgorithm: 'SHA-256' }, 1, engine)
        : enveloped.addRecipientByCertificate(certificate, { kdfAlgorithm: 'SHA-256', kekEncryptionLength: 256 }, 2, engine);
    if (!ok) throw bilingualError('pades.envelopeBadRecipient', { index: index + 1, detail: 'pkijs refused the certificate' });
  });
  await enveloped.encrypt({ name: 'AES-CBC', length: 256 } as Algorithm, toArrayBuffer(parsed.data.data), engine);
  const contentInfo = new pkijs.ContentInfo({ contentType: OID_ENVELOPED_DATA, content: enveloped.toSchema() });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}
