import type { CSSProperties, ReactNode } from 'react';
import { Typography, theme } from 'antd';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { LinkStatus } from '@kawei/shared/contract/device-status.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { LinkBadge } from '@kawei/shared/ui/LinkBadge.dom.tsx';
import { ScreenFrame } from '@kawei/shared/ui/ScreenFrame.dom.tsx';
import type { CameraStream } from '@kawei/shared/ui/useCameraStream.dom.ts';
import type { Guidance } from './booth-view.ts';
import { CameraPreview } from './CameraPreview.dom.tsx';
import { FaceGuidance } from './FaceGuidance.dom.tsx';

/**
 * Idle and face login: which booth this is, big enough to read from the door, the camera, and one
 * instruction. Nothing about the expert: before login the screen knows no one.
 */
export function LoginScreen({
  session,
  sessionError,
  positionLabel,
  camera,
  guidance,
  frameError,
  link,
  footer,
}: {
  session: BoothSession | null;
  sessionError: ApiError | null;
  /** "3号评标室 · A5 卡位" from the enrolled status; the session's own label once it answers. */
  positionLabel: string;
  camera: CameraStream;
  guidance: Guidance | null;
  frameError: ApiError | null;
  link: LinkStatus;
  footer: ReactNode;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const phase = session?.phase ?? 'idle';
  return (
    <ScreenFrame testId="idle-screen" footer={footer}>
      <div data-testid={phase === 'login' ? 'booth-login' : 'booth-idle'} data-phase={phase} style={columnStyle}>
        <div data-testid="booth-label">
          <Typography.Title level={1} data-testid="position-label" style={labelStyle}>
            {positionLabel}
          </Typography.Title>
        </div>
        <CameraPreview camera={camera} style={{ width: 'min(80vw, calc((100vh - 440px) * 4 / 3))', minWidth: 320 }} />
        {camera.state.status === 'live' ? <FaceGuidance guidance={guidance} error={frameError} /> : null}
        {sessionError ? (
          <span data-testid="booth-error" data-code={sessionError.code} style={{ fontSize: 22, color: token.colorTextSecondary }}>
            {t('booth.session.error', { error: errorMessage(sessionError.code, lang) })}
          </span>
        ) : null}
        <LinkBadge link={link} />
      </div>
    </ScreenFrame>
  );
}

const columnStyle: CSSProperties = { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 16, width: '100%' };
const labelStyle: CSSProperties = { margin: 0, fontSize: 'clamp(40px, 5.5vw, 112px)', lineHeight: 1.15, fontWeight: 700, letterSpacing: '0.02em' };
