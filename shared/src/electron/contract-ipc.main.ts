import { ipcMain, type WebContents } from 'electron';
import { ApiError } from '../errors.ts';
import { ipcCallChannel, ipcEventChannel, type CallResult, type Contract, type EventHub } from '../contract/contract.ts';
import { isTrustedIpcSender } from './secure-policy.ts';

export type Dispatch = (name: unknown, input: unknown) => Promise<CallResult>;

/**
 * One ipcMain.handle per call of the contract, nothing generic. A call is served only when it comes
 * from the app's own top-level document (see isTrustedIpcSender); the dispatcher validates the input
 * and never throws, so the renderer always receives a CallResult. Returns a function that unbinds.
 */
export function bindContractCalls(contract: Contract, dispatch: Dispatch): () => void {
  const channels = Object.keys(contract.calls).map((name) => {
    const channel = ipcCallChannel(contract, name);
    ipcMain.handle(channel, async (event, input: unknown): Promise<CallResult> => {
      if (!isTrustedIpcSender(event.senderFrame)) {
        return { ok: false, error: new ApiError('UNAUTHORIZED', `${channel}: caller is not the app`).toBody() };
      }
      return dispatch(name, input);
    });
    return channel;
  });
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/** Forwards every event the services publish to the window, on the event's own channel. */
export function forwardContractEvents<K extends Contract>(
  contract: K,
  events: EventHub<K>,
  target: WebContents,
): () => void {
  return events.subscribe((name, payload) => {
    if (!target.isDestroyed()) target.send(ipcEventChannel(contract, name), payload);
  });
}
