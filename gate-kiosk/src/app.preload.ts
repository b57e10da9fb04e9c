import { gateContract } from '@kawei/shared/contract/gate.contract.ts';
import { exposeContractBridge } from '@kawei/shared/electron/expose-bridge.preload.ts';

/** Puts the gate contract's calls and events on window.kawei; bundled to dist-electron/app.preload.cjs. */
exposeContractBridge(gateContract);
