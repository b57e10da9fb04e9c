import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { SignatureAlgorithm, Signer } from './signer.ts';
import { SigningError } from './signing-errors.ts';
import { parseCertificate } from './trust-list.ts';

/**
 * A Signer over a private key held in this process: the centre's seal (central/src/report/
 * centre-seal.node.ts), tests and the benchmark. Experts' keys never come here — they stay on their
 * tokens (pkcs11-provider.node.ts). Same contract as the token signers: ECDSA P-256 returns raw r‖s
 * (SHA-256 over the message), RSA returns PKCS#1 v1.5 with SHA-256.
 */

const inputSchema = z.object({
  privateKey: z.custom<KeyObject>((v) => typeof v === 'object' && v !== null && (v as KeyObject).type === 'private', 'a private KeyObject'),
  certificate: z.instanceof(Uint8Array),
  chain: z.array(z.instanceof(Uint8Array)).optional(),
  id: z.string().min(1).max(200).optional(),
});

function algorithmOf(key: KeyObject): SignatureAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RSA-SHA256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ECDSA-SHA256';
  throw new SigningError('ALGORITHM_UNSUPPORTED', `software keys: RSA or ECDSA P-256, not ${key.asymmetricKeyType ?? '?'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
}

export function softwareSigner(input: { privateKey: KeyObject; certificate: Uint8Array; chain?: Uint8Array[]; id?: string }): Signer {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) throw new SigningError('SIGN_FAILED', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { privateKey, certificate } = parsed.data;
  const algorithm = algorithmOf(privateKey);
  // The certificate must certify this very key, or every signature would be refused later as invalid.
  const certSpki = Buffer.from(parseCertificate(certificate).publicKey.rawData);
  const keySpki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!certSpki.equals(keySpki)) throw new SigningError('KEY_NOT_FOUND', 'the certificate does not hold this private key');
  const id = parsed.data.id ?? `software:${createHash('sha256').update(certificate).digest('hex').slice(0, 16)}`;
  const chain = (parsed.data.chain ?? []).map((c) => c.slice());
  const cert = certificate.slice();
  let closed = false;
  return {
    id,
    certificate: cert,
    chain,
    algorithm,
    sign: async (data: Uint8Array): Promise<Uint8Array> => {
      if (closed) throw new SigningError('SIGNER_CLOSED');
      const signature =
        algorithm === 'ECDSA-SHA256'
          ? sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
          : sign('sha256', data, privateKey);
      return new Uint8Array(signature);
    },
    close: async (): Promise<void> => {
      closed = true;
    },
  };
}
