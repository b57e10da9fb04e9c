/**
 * 国密 plug-in point (design only: no SM2/SM3 implementation is installed; sm-crypto is the planned
 * pure-JS one, because Electron's BoringSSL has neither algorithm).
 *
 * How SM2 slots in:
 * - An SKF (GM/T 0016) provider opens the USB key through the vendor library (EnumDev → ConnectDev →
 *   OpenApplication → VerifyPIN → OpenContainer) and returns a Signer with algorithm 'SM2-SM3'. Its
 *   `sign(data)` computes e = SM3(Z ‖ M) with `Sm2Engine.sm3WithZ` (Z from the default ID and the
 *   certificate's public key) and calls ECCSignData(e), which returns r‖s.
 * - The CMS layer (cms.ts) needs SM3 for the messageDigest and the SM2 OIDs below; given an engine it
 *   writes digestAlgorithm SM3 and signatureAlgorithm sm2sign-with-sm3 and DER-encodes r‖s, exactly as
 *   for ECDSA. Verification uses `Sm2Engine.verify`.
 * - Without an engine, cms.ts refuses 'SM2-SM3' with ALGORITHM_UNSUPPORTED.
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
