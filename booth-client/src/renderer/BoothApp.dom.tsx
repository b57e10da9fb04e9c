import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import { formatBoothPosition } from '@kawei/shared/i18n/messages.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { DeviceShell } from '@kawei/shared/ui/DeviceShell.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { IdleScreen } from '@kawei/shared/ui/IdleScreen.dom.tsx';

/**
 * The booth PC's screen. Fresh: the technician enrols it. Enrolled: it shows which booth it is and
 * waits for face login (a later slice). Refused by the central: it asks for the technician.
 */
export function BoothApp({ client }: { client: ApiConnection<BoothContract> }) {
  const { t } = useT();
  return (
    <DeviceShell
      client={client}
      deviceKind="booth"
      positionLabel={(status, lang) => formatBoothPosition(status.position, lang)}
      renderEnrolled={(status, frame) => (
        <IdleScreen positionLabel={frame.positionLabel} waiting={t('booth.idle.waiting')} link={status.link} footer={frame.footer} />
      )}
    />
  );
}
