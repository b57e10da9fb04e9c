import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import { formatBoothPosition } from '@kawei/shared/i18n/messages.ts';
import { useConnectionState, useDeviceStatus, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { EnrolmentScreen } from '@kawei/shared/ui/EnrolmentScreen.dom.tsx';
import { HostFailedScreen, HostReconnectingBanner } from '@kawei/shared/ui/HostConnection.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { IdleScreen } from '@kawei/shared/ui/IdleScreen.dom.tsx';
import { RefusedScreen } from '@kawei/shared/ui/RefusedScreen.dom.tsx';
import { LoadingScreen } from '@kawei/shared/ui/ScreenFrame.dom.tsx';
import { StatusFooter } from '@kawei/shared/ui/StatusFooter.dom.tsx';

/**
 * The booth PC's screen. Fresh: the technician enrols it. Enrolled: it shows which booth it is and
 * waits for face login (a later slice). Refused by the central: it asks for the technician.
 */
export function BoothApp({ client }: { client: ApiConnection<BoothContract> }) {
  const connection = useConnectionState(client.connection);
  return (
    <>
      <HostReconnectingBanner state={connection} />
      {connection.status === 'failed' ? <HostFailedScreen failure={connection.failure} /> : <BoothScreen client={client} />}
    </>
  );
}

function BoothScreen({ client }: { client: ApiConnection<BoothContract> }) {
  const { t, lang } = useT();
  const { status, error, setStatus, reload } = useDeviceStatus(client);

  if (!status) return <LoadingScreen error={error} onRetry={reload} />;

  if (status.provisioning === 'unprovisioned') {
    return (
      <EnrolmentScreen
        deviceKind="booth"
        appVersion={status.appVersion}
        onEnrol={async (input) => setStatus(await client.api.enrol(input))}
      />
    );
  }

  const positionLabel = formatBoothPosition(status.position, lang);
  const footer = <StatusFooter appVersion={status.appVersion} deviceId={status.deviceId} />;
  if (status.link.state === 'refused') {
    return <RefusedScreen link={status.link} positionLabel={positionLabel} footer={footer} />;
  }
  return <IdleScreen positionLabel={positionLabel} waiting={t('booth.idle.waiting')} link={status.link} footer={footer} />;
}
