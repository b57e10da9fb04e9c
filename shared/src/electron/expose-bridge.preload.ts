import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, type PreloadBridge } from '../contract/bridge.ts';
import { ipcCallChannel, ipcEventChannel, type CallResult, type Contract } from '../contract/contract.ts';

/** The three ipcRenderer methods the bridge uses; a parameter so the bridge can be built in tests. */
export type BridgeIpc = Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>;

/**
 * One function per call, one subscribe function per event, nothing generic: the renderer can reach
 * exactly the channels of its contract and never sees ipcRenderer or an IpcRendererEvent.
 */
export function createContractBridge(contract: Contract, ipc: BridgeIpc): PreloadBridge {
  const calls: Record<string, (input: unknown) => Promise<CallResult>> = {};
  for (const name of Object.keys(contract.calls)) {
    const channel = ipcCallChannel(contract, name);
    calls[name] = (input) => invokeCall(ipc, channel, input);
  }
  const events: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
  for (const name of Object.keys(contract.events)) {
    const channel = ipcEventChannel(contract, name);
    events[name] = (listener) => subscribeToEvent(ipc, channel, listener);
  }
  return Object.freeze({ contract: contract.name, calls: Object.freeze(calls), events: Object.freeze(events) });
}

/** The main process answers with a CallResult; a rejected invoke (no handler, process gone) becomes one
 * too, so the renderer's promise never rejects. */
async function invokeCall(ipc: BridgeIpc, channel: string, input: unknown): Promise<CallResult> {
  try {
    return (await ipc.invoke(channel, input)) as CallResult;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'INTERNAL', message: `${channel}: ${reason}` } };
  }
}

function subscribeToEvent(ipc: BridgeIpc, channel: string, listener: (payload: unknown) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError(`${channel}: listener must be a function`);
  // A listener of our own, so only the payload crosses into the page and unsubscribe removes exactly it.
  const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
  ipc.on(channel, forward);
  return () => {
    ipc.removeListener(channel, forward);
  };
}

/** Puts the contract's bridge on window.kawei. Call once from the app's preload. */
export function exposeContractBridge(contract: Contract): void {
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createContractBridge(contract, ipcRenderer));
}
