import { z } from 'zod';
import { canonicalJson } from '../sync/canonical-json.ts';
import { createDetachedCms, verifyDetachedCms, type CmsOptions, type VerifyOptions, type VerifyResult } from './cms.ts';
import type { Signer } from './signer.ts';
import type { TrustList } from './trust-list.ts';

/**
 * What the expert signs is bytes, and the bytes are the canonical JSON (UTF-8) of the document: keys
 * sorted, no whitespace (shared/src/sync/canonical-json.ts). Anyone holding the JSON object can
 * rebuild exactly the signed bytes, and `openssl cms -verify -binary -content <file>` checks them when
 * `content` is written to the file unchanged.
 */

export const SIGNED_DOCUMENT_KINDS = ['score-sheet', 'commitment-letter', 'preliminary-review', 'report-dissent'] as const;
export type SignedDocumentKind = (typeof SIGNED_DOCUMENT_KINDS)[number];

export const signedDocumentSchema = z.object({
  kind: z.enum(SIGNED_DOCUMENT_KINDS),
  /** The canonical JSON exactly as signed. */
  content: z.string().min(2),
  /** SHA-256 of `content` (UTF-8), hex: an index for the central, not a security check. */
  contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** DER detached CMS SignedData, base64. */
  cms: z.string().min(1),
  signer: z.object({ subject: z.string(), issuer: z.string(), serial: z.string() }),
  signedAt: z.iso.datetime(),
});
export type SignedDocument = z.infer<typeof signedDocumentSchema>;

export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

export async function signCanonicalJson(
  kind: SignedDocumentKind,
  value: unknown,
  signer: Signer,
  options: CmsOptions,
): Promise<SignedDocument> {
  const content = canonicalJson(value);
  const bytes = new TextEncoder().encode(content);
  const cms = await createDetachedCms(bytes, signer, options);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return {
    kind,
    content,
    contentSha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
    cms: toBase64(cms.der),
    signer: { subject: cms.certificate.subject, issuer: cms.certificate.issuer, serial: cms.certificate.serial },
    signedAt: cms.signingTime.toISOString(),
  };
}

/**
 * Verifies a signed document. With `expected`, the signed content must also be the canonical JSON of
 * that object (so a verifier checks the document it holds, not just some signed bytes).
 */
export async function verifySignedDocument(
  document: unknown,
  trustList: TrustList,
  options: VerifyOptions & { expected?: unknown } = {},
): Promise<VerifyResult> {
  const doc = signedDocumentSchema.parse(document);
  const content = new TextEncoder().encode(options.expected === undefined ? doc.content : canonicalJson(options.expected));
  return verifyDetachedCms(content, fromBase64(doc.cms), trustList, options);
}

// btoa/atob exist in Node and in the renderer, so this file stays plain .ts.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
