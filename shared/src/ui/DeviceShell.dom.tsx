import type { ReactNode } from 'react';
import type { DeviceKind } from '../domain/topology.ts';
import type { Lang } from '../i18n/messages.ts';
import type { LinkStatus, SyncSummaryView } from '../contract/device-status.ts';
import { useConnectionState, useDeviceStatus, type DeviceStatusSource } from './api-hooks.dom.tsx';
import type { EnrolFormValues } from './enrol-form.ts';
import { EnrolmentScreen } from './EnrolmentScreen.dom.tsx';
import { HostFailedScreen, HostReconnectingBanner } from './HostConnection.dom.tsx';
import { useT } from './i18n.dom.tsx';
import { RefusedScreen } from './RefusedScreen.dom.tsx';
import { LoadingScreen } from './ScreenFrame.dom.tsx';
import { StatusFooter } from './StatusFooter.dom.tsx';

/** The status both device contracts share, whatever each app's position looks like. */
type DeviceStatusShape =
  | { provisioning: 'unprovisioned'; appVersion: string }
  | { provisioning: 'enrolled'; appVersion: string; deviceId: string; link: LinkStatus; sync: SyncSummaryView };

export type EnrolledStatus<S> = Extract<S, { provisioning: 'enrolled' }>;

export interface DeviceClient<S> extends DeviceStatusSource<S> {
  readonly api: DeviceStatusSource<S>['api'] & { enrol(input: EnrolFormValues): Promise<S> };
}

/**
 * Everything a device app shows before it can do its real work, the same for booth and gate: the host
 * connection (lost / reconnecting), the first status, the technician's enrolment screen, and the
 * full-screen notice when the central refuses the device. The app supplies only its enrolled screen.
 */
export function DeviceShell<S extends DeviceStatusShape>({
  client,
  deviceKind,
  positionLabel,
  renderEnrolled,
}: {
  client: DeviceClient<S>;
  deviceKind: DeviceKind;
  positionLabel: (status: EnrolledStatus<S>, lang: Lang) => string;
  renderEnrolled: (status: EnrolledStatus<S>, frame: { positionLabel: string; footer: ReactNode }) => ReactNode;
}) {
  const connection = useConnectionState(client.connection);
  return (
    <>
      <HostReconnectingBanner state={connection} />
      {connection.status === 'failed' ? (
        <HostFailedScreen failure={connection.failure} />
      ) : (
        <DeviceScreen client={client} deviceKind={deviceKind} positionLabel={positionLabel} renderEnrolled={renderEnrolled} />
      )}
    </>
  );
}

function DeviceScreen<S extends DeviceStatusShape>({
  client,
  deviceKind,
  positionLabel,
  renderEnrolled,
}: Parameters<typeof DeviceShell<S>>[0]) {
  const { lang } = useT();
  const { status, error, setStatus, reload } = useDeviceStatus(client);

  if (!status) return <LoadingScreen error={error} onRetry={reload} />;
  if (status.provisioning === 'unprovisioned') {
    return (
      <EnrolmentScreen
        deviceKind={deviceKind}
        appVersion={status.appVersion}
        onEnrol={async (input) => setStatus(await client.api.enrol(input))}
      />
    );
  }
  const enrolled = status as EnrolledStatus<S>;
  const label = positionLabel(enrolled, lang);
  const footer = <StatusFooter appVersion={enrolled.appVersion} deviceId={enrolled.deviceId} sync={enrolled.sync} />;
  if (enrolled.link.state === 'refused') return <RefusedScreen link={enrolled.link} positionLabel={label} footer={footer} />;
  return <>{renderEnrolled(enrolled, { positionLabel: label, footer })}</>;
}
