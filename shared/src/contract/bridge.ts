import type { CallResult } from './contract.ts';

/**
 * The shape the Electron preload puts on `window.kawei` with contextBridge. It has one function per
 * call in the app's contract and one subscribe function per event channel, nothing generic (no
 * `invoke(channel)`, no ipcRenderer). Calls resolve to a CallResult, never reject, so typed error
 * codes survive the IPC hop.
 */
export const BRIDGE_GLOBAL = 'kawei' as const;

export interface PreloadBridge {
  readonly contract: string;
  readonly calls: Readonly<Record<string, (input: unknown) => Promise<CallResult>>>;
  readonly events: Readonly<Record<string, (listener: (payload: unknown) => void) => () => void>>;
}
