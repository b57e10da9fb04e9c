import { boothContract, type BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import {
  createDeviceAppCore,
  wireAppServices,
  type AppServices,
  type DeviceAppOptions,
} from '@kawei/shared/device/device-app-services.node.ts';

/** The booth client's services: everything behind its API table, with no Electron and no browser in sight. */
export function createBoothServices(options: DeviceAppOptions): AppServices<BoothContract> {
  const core = createDeviceAppCore('booth', options);
  return wireAppServices(boothContract, core.calls, (emit) => core.identity.onChange(emit), core.close);
}
