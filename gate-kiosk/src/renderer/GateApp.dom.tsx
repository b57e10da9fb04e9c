import type { GateContract } from '@kawei/shared/contract/gate.contract.ts';
import type { GatePosition } from '@kawei/shared/domain/topology.ts';
import { formatGatePosition } from '@kawei/shared/i18n/messages.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { DeviceShell } from '@kawei/shared/ui/DeviceShell.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { IdleScreen } from '@kawei/shared/ui/IdleScreen.dom.tsx';

/** The site's name is already part of the entrance's label; a room door gets it as a line above. */
function siteLine(position: GatePosition): string | null {
  return position.gate.role === 'room_door' ? position.site.name : null;
}

/**
 * The gate kiosk's screen. Fresh: the technician enrols it. Enrolled: it shows which gate it is (the
 * evaluation-area entrance or a room's door) and its link; the face check arrives in a later slice.
 * Refused by the central: it asks for the technician.
 */
export function GateApp({ client }: { client: ApiConnection<GateContract> }) {
  const { t } = useT();
  return (
    <DeviceShell
      client={client}
      deviceKind="gate"
      positionLabel={(status, lang) => formatGatePosition(status.position, lang)}
      renderEnrolled={(status, frame) => (
        <IdleScreen
          positionLabel={frame.positionLabel}
          context={siteLine(status.position)}
          waiting={t('gate.idle.waiting')}
          link={status.link}
          footer={frame.footer}
        />
      )}
    />
  );
}
