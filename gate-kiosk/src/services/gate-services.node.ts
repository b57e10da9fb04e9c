import { gateContract, type GateContract } from '@kawei/shared/contract/gate.contract.ts';
import {
  createDeviceAppCore,
  wireAppServices,
  type AppServices,
  type DeviceAppOptions,
} from '@kawei/shared/device/device-app-services.node.ts';

/** The gate kiosk's services: everything behind its API table, with no Electron and no browser in sight. */
export function createGateServices(options: DeviceAppOptions): AppServices<GateContract> {
  const core = createDeviceAppCore('gate', options);
  return wireAppServices(gateContract, core.calls, (emit) => core.identity.onChange(emit), core.close);
}
