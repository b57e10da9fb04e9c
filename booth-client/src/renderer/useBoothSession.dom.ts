import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { usePushedView } from './usePushedView.dom.ts';

/** While getSession fails (services still starting), ask again this often. */
const RETRY_MS = 3000;

export interface BoothSessionView {
  /** null until the first answer. */
  readonly session: BoothSession | null;
  readonly error: ApiError | null;
  /** For calls that answer with a fresh session (logout), and for a frame whose phase differs. */
  readonly setSession: (session: BoothSession) => void;
  readonly refresh: () => void;
}

const getSession = (client: ApiConnection<BoothContract>) => client.api.getSession({});
const onSession = (client: ApiConnection<BoothContract>, listener: (session: BoothSession) => void) => client.on('session', listener);

/**
 * The expert's session, kept current (usePushedView, always enabled): asked for on mount and each
 * time the host connection becomes ready, then replaced by every `session` event.
 */
export function useBoothSession(client: ApiConnection<BoothContract>): BoothSessionView {
  const { view, error, setView, refresh } = usePushedView(client, getSession, onSession, { enabled: true, retryMs: RETRY_MS });
  return { session: view, error, setSession: setView, refresh };
}
