import { useCallback, type ReactNode } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { BoothPhase } from '@kawei/shared/contract/booth-session.ts';
import type { BoothStatus } from '@kawei/shared/contract/device-status.ts';
import { formatBoothPosition } from '@kawei/shared/i18n/messages.ts';
import { type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { DeviceShell, type EnrolledStatus } from '@kawei/shared/ui/DeviceShell.dom.tsx';
import { useNow } from '@kawei/shared/ui/LinkBadge.dom.tsx';
import { useCameraStream } from '@kawei/shared/ui/useCameraStream.dom.ts';
import { currentNotice, frameIntervalMs } from './booth-view.ts';
import { CommitmentScreen } from './CommitmentScreen.dom.tsx';
import { NoticeBanner } from './FaceGuidance.dom.tsx';
import { LockScreen } from './LockScreen.dom.tsx';
import { LoginScreen } from './LoginScreen.dom.tsx';
import { useNoCopyGuards } from './no-copy.dom.ts';
import { RecheckModal } from './RecheckModal.dom.tsx';
import { useBoothSession } from './useBoothSession.dom.ts';
import { useFaceFrames } from './useFaceFrames.dom.ts';
import { useReview } from './useReview.dom.ts';
import { useReport } from './report/useReport.dom.ts';
import { Workspace } from './Workspace.dom.tsx';

/**
 * The booth PC's screen. Fresh: the technician enrols it. Enrolled: the expert's day, phase by phase
 * as the services say (getSession and the `session` event): idle and face login, the commitment
 * letter, the files and the score sheet, the submitted sheet, the report to sign, and the lock. Refused by the central:
 * it asks for the technician.
 */
export function BoothApp({ client }: { client: ApiConnection<BoothContract> }) {
  return (
    <DeviceShell<BoothStatus>
      client={client}
      deviceKind="booth"
      positionLabel={(status, lang) => formatBoothPosition(status.position, lang)}
      renderEnrolled={(status, frame) => <BoothStation client={client} status={status} positionLabel={frame.positionLabel} footer={frame.footer} />}
    />
  );
}

function BoothStation({
  client,
  status,
  positionLabel,
  footer,
}: {
  client: ApiConnection<BoothContract>;
  status: EnrolledStatus<BoothStatus>;
  positionLabel: string;
  footer: ReactNode;
}) {
  useNoCopyGuards();
  const { session, error: sessionError, setSession, refresh } = useBoothSession(client);
  // One camera for the whole day: the preview moves between screens, the stream stays open.
  const camera = useCameraStream({ width: 640, height: 480 });
  const onPhase = useCallback((_phase: BoothPhase) => refresh(), [refresh]);
  const live = camera.state.status === 'live';
  const { face, error: frameError } = useFaceFrames(client.api, camera.frameSource, live ? frameIntervalMs(session) : null, session?.phase ?? null, onPhase);
  const now = useNow(500);
  const notice = currentNotice(face, now);
  const { api } = client;
  const atWork = session?.phase === 'working' || session?.phase === 'submitted';
  const review = useReview(client, atWork);
  const report = useReport(client, atWork);

  const logout = useCallback(async () => {
    setSession(await api.logout({}));
  }, [api, setSession]);

  let screen: ReactNode;
  const phase = session?.phase ?? 'idle';
  if (!session || phase === 'idle' || phase === 'login') {
    screen = (
      <LoginScreen
        session={session}
        sessionError={sessionError}
        positionLabel={positionLabel}
        camera={camera}
        guidance={face.guidance}
        frameError={session ? frameError : null}
        link={status.link}
        footer={footer}
      />
    );
  } else if (phase === 'locked') {
    screen = <LockScreen session={session} camera={camera} guidance={face.guidance} frameError={frameError} />;
  } else if (phase === 'commitment') {
    screen = <CommitmentScreen api={api} session={session} camera={camera} />;
  } else {
    screen = <Workspace api={api} session={session} camera={camera} onLogout={logout} review={review} report={report} />;
  }

  return (
    <>
      {screen}
      {session?.recheckDue && phase !== 'locked' && phase !== 'idle' && phase !== 'login' ? (
        <RecheckModal camera={camera} guidance={face.guidance} frameError={frameError} />
      ) : null}
      {notice ? <NoticeBanner notice={notice} attemptsLeft={session?.loginAttemptsLeft ?? 0} /> : null}
    </>
  );
}
