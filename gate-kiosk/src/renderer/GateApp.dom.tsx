import { useCallback, useState, type ReactNode } from 'react';
import type { GateContract } from '@kawei/shared/contract/gate.contract.ts';
import type { GateStatus } from '@kawei/shared/contract/device-status.ts';
import type { GatePosition } from '@kawei/shared/domain/topology.ts';
import { formatGatePosition } from '@kawei/shared/i18n/messages.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { DeviceShell, type EnrolledStatus } from '@kawei/shared/ui/DeviceShell.dom.tsx';
import { KioskScreen } from './KioskScreen.dom.tsx';
import { StaffButton, StaffLogin } from './StaffLogin.dom.tsx';
import { StaffMonitor } from './StaffMonitor.dom.tsx';
import { useStaffSession } from './useStaffSession.dom.ts';

/** The site's name is already part of the entrance's label; a room door gets it as a line above. */
function siteLine(position: GatePosition): string | null {
  return position.gate.role === 'room_door' ? position.site.name : null;
}

/**
 * The gate kiosk's screen. Fresh: the technician enrols it. Enrolled: the expert's check-in screen
 * (camera, instruction, result), with a discreet staff button that opens the PIN pad and then the
 * staff monitor over it. Refused by the central: it asks for the technician.
 */
export function GateApp({ client }: { client: ApiConnection<GateContract> }) {
  return (
    <DeviceShell<GateStatus>
      client={client}
      deviceKind="gate"
      positionLabel={(status, lang) => formatGatePosition(status.position, lang)}
      renderEnrolled={(status, frame) => (
        <GateStation client={client} status={status} positionLabel={frame.positionLabel} footer={frame.footer} />
      )}
    />
  );
}

function GateStation({
  client,
  status,
  positionLabel,
  footer,
}: {
  client: ApiConnection<GateContract>;
  status: EnrolledStatus<GateStatus>;
  positionLabel: string;
  footer: ReactNode;
}) {
  const staff = useStaffSession(client.api);
  const [loggingIn, setLoggingIn] = useState(false);
  const { login, logout, dismissNotice } = staff;
  const closeLogin = useCallback(() => {
    setLoggingIn(false);
    dismissNotice();
  }, [dismissNotice]);
  const submitPin = useCallback(
    async (pin: string) => {
      await login(pin);
      setLoggingIn(false);
    },
    [login],
  );

  return (
    <>
      {/* Always mounted: faces are still checked (turnstile, LED, voice) while staff use the monitor. */}
      <KioskScreen
        client={client}
        positionLabel={positionLabel}
        context={siteLine(status.position)}
        link={status.link}
        footer={footer}
        corner={<StaffButton onClick={() => setLoggingIn(true)} />}
      />
      {staff.session ? (
        <StaffMonitor
          api={client.api}
          staffToken={staff.session.token}
          positionLabel={positionLabel}
          onLogout={() => logout('user')}
          onStaffError={staff.handleStaffError}
        />
      ) : loggingIn || staff.lastLogout === 'expired' ? (
        // An expired session reopens the pad with the reason; an idle one goes back to the kiosk.
        <StaffLogin onLogin={submitPin} onCancel={closeLogin} lastLogout={staff.lastLogout} />
      ) : null}
    </>
  );
}
