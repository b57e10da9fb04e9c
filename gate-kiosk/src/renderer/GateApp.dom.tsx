import type { GateContract } from '@kawei/shared/contract/gate.contract.ts';
import type { GatePosition } from '@kawei/shared/domain/topology.ts';
import { formatGatePosition } from '@kawei/shared/i18n/messages.ts';
import { useConnectionState, useDeviceStatus, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { EnrolmentScreen } from '@kawei/shared/ui/EnrolmentScreen.dom.tsx';
import { HostFailedScreen, HostReconnectingBanner } from '@kawei/shared/ui/HostConnection.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { IdleScreen } from '@kawei/shared/ui/IdleScreen.dom.tsx';
import { RefusedScreen } from '@kawei/shared/ui/RefusedScreen.dom.tsx';
import { LoadingScreen } from '@kawei/shared/ui/ScreenFrame.dom.tsx';
import { StatusFooter } from '@kawei/shared/ui/StatusFooter.dom.tsx';

/**
 * The gate kiosk's screen. Fresh: the technician enrols it. Enrolled: it shows which gate it is (the
 * evaluation-area entrance or a room's door) and its link; the face check arrives in a later slice.
 * Refused by the central: it asks for the technician.
 */
export function GateApp({ client }: { client: ApiConnection<GateContract> }) {
  const connection = useConnectionState(client.connection);
  return (
    <>
      <HostReconnectingBanner state={connection} />
      {connection.status === 'failed' ? <HostFailedScreen failure={connection.failure} /> : <GateScreen client={client} />}
    </>
  );
}

/** The site's name is already part of the entrance's label; a room door gets it as a line above. */
function siteLine(position: GatePosition): string | null {
  return position.gate.role === 'room_door' ? position.site.name : null;
}

function GateScreen({ client }: { client: ApiConnection<GateContract> }) {
  const { t, lang } = useT();
  const { status, error, setStatus, reload } = useDeviceStatus(client);

  if (!status) return <LoadingScreen error={error} onRetry={reload} />;

  if (status.provisioning === 'unprovisioned') {
    return (
      <EnrolmentScreen
        deviceKind="gate"
        appVersion={status.appVersion}
        onEnrol={async (input) => setStatus(await client.api.enrol(input))}
      />
    );
  }

  const positionLabel = formatGatePosition(status.position, lang);
  const footer = <StatusFooter appVersion={status.appVersion} deviceId={status.deviceId} />;
  if (status.link.state === 'refused') {
    return <RefusedScreen link={status.link} positionLabel={positionLabel} footer={footer} />;
  }
  return (
    <IdleScreen
      positionLabel={positionLabel}
      context={siteLine(status.position)}
      waiting={t('gate.idle.waiting')}
      link={status.link}
      footer={footer}
    />
  );
}
