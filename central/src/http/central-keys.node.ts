import type { KeyObject } from 'node:crypto';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import type { CentralStore } from '../storage/central-store.ts';

export interface CentralKeys {
  centralId: string;
  /** base64 SPKI DER, as devices pin it */
  publicKey: string;
  privateKey: KeyObject;
}

/** Loads the central's identity from the store once; a failed load is retried on the next call. */
export function centralKeysLoader(store: CentralStore): () => Promise<CentralKeys> {
  let loading: Promise<CentralKeys> | null = null;
  return () => {
    loading ??= store.getCentralIdentity().then(
      (identity) => ({
        centralId: identity.centralId,
        publicKey: identity.publicKey,
        privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8),
      }),
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  };
}
