/**
 * 国密 SM2/SM3: the OIDs, the default signer ID and the `Sm2Engine` interface the signing layer uses.
 * The implementation is built in and pure JS (Electron's BoringSSL has neither algorithm): SM3 in
 * sm3.ts, SM2 in sm2-engine.ts (`sm2Engine`, the default of cms.ts and trust-list.ts; another engine
 * can be passed as `{ sm2 }`, e.g. a native one).
 *
 * How SM2 fits:
 * - cms.ts: an 'SM2-SM3' signer gets digestAlgorithm SM3 and signatureAlgorithm sm2sign-with-sm3, its
 *   r‖s DER-encoded as for ECDSA; verification calls `Sm2Engine.verify` with the default ID.
 * - trust-list.ts: certificate links signed with SM2 are checked with `Sm2Engine.verify` (WebCrypto
 *   checks RSA and ECDSA links).
 * - Signers: soft-sm2-signer.node.ts holds a key file (tests, development). The real one is still a
 *   plug-in point: an SKF (GM/T 0016) provider opening the USB key through the vendor library
 *   (EnumDev → ConnectDev → OpenApplication → VerifyPIN → OpenContainer), whose `sign(data)` computes
 *   e = SM3(Z ‖ M) with `Sm2Engine.sm3WithZ` and has the key sign e (ECCSignData), returning r‖s.
 */

export const SM2_OIDS = {
  /** id-ecPublicKey parameters of an SM2 key: the sm2p256v1 curve. */
  curve: '1.2.156.10197.1.301',
  sm2SignWithSm3: '1.2.156.10197.1.501',
  sm3: '1.2.156.10197.1.401',
} as const;

/** GM/T 0009: the signer ID used when none is agreed. */
export const SM2_DEFAULT_USER_ID = '1234567812345678';

export interface Sm2Engine {
  /** Plain SM3 (the CMS messageDigest and the signingCertificate hash). */
  sm3(data: Uint8Array): Uint8Array;
  /** SM3(Z ‖ message), Z computed from `userId` and the uncompressed public key (04‖x‖y). */
  sm3WithZ(message: Uint8Array, publicKey: Uint8Array, userId?: string): Uint8Array;
  /** Verifies a raw r‖s signature over `message` (the engine does the Z step). */
  verify(message: Uint8Array, signatureRs: Uint8Array, publicKey: Uint8Array, userId?: string): boolean;
}
