import { boothContract } from '@kawei/shared/contract/booth.contract.ts';
import { exposeContractBridge } from '@kawei/shared/electron/expose-bridge.preload.ts';

/** Puts the booth contract's calls and events on window.kawei; bundled to dist-electron/app.preload.cjs. */
exposeContractBridge(boothContract);
