import type { CSSProperties } from 'react';
import { theme } from 'antd';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { LanguageToggle, useT } from '@kawei/shared/ui/i18n.dom.tsx';
import type { CameraStream } from '@kawei/shared/ui/useCameraStream.dom.ts';
import { lockTexts, type Guidance } from './booth-view.ts';
import { CameraPreview } from './CameraPreview.dom.tsx';
import { FaceGuidance } from './FaceGuidance.dom.tsx';

/**
 * Full-screen lock over everything (the files and the sheet are unmounted behind it): what happened
 * and how to unlock. A pulled key waits for the key, then for the face; the face reasons show the
 * camera for a face check; too many failed logins wait for staff.
 */
export function LockScreen({
  session,
  camera,
  guidance,
  frameError,
}: {
  session: BoothSession;
  camera: CameraStream;
  guidance: Guidance | null;
  frameError: ApiError | null;
}) {
  const { t } = useT();
  const { token } = theme.useToken();
  const reason = session.lockReason;
  const texts = lockTexts(reason, session.token.present);
  // A pulled key waits for the key; once it is back, the face check that unlocks shows the camera.
  const face = reason !== 'token_removed' || session.token.present;
  return (
    <div data-testid="lock-screen" data-reason={reason ?? ''} role="alert" style={{ ...screenStyle, background: token.colorBgLayout }}>
      <LanguageToggle style={{ position: 'absolute', top: 24, right: 32 }} />
      {/* A drawn padlock: the devices ship no emoji font. */}
      <div aria-hidden style={{ position: 'relative', width: 96, height: 104 }}>
        <div style={{ position: 'absolute', left: 18, top: 0, width: 60, height: 64, border: `12px solid ${token.colorError}`, borderBottom: 'none', borderRadius: '30px 30px 0 0' }} />
        <div style={{ position: 'absolute', left: 0, bottom: 0, width: 96, height: 60, borderRadius: 12, background: token.colorError }} />
      </div>
      <div data-testid="lock-title" style={{ fontSize: 'clamp(36px, 4.2vw, 72px)', fontWeight: 800, color: token.colorErrorText, lineHeight: 1.2 }}>
        {t(texts.title)}
      </div>
      <div data-testid="lock-how" style={{ fontSize: 'clamp(28px, 3vw, 48px)', fontWeight: 600 }}>
        {t(texts.how)}
      </div>
      {face ? (
        <>
          <CameraPreview camera={camera} style={{ width: 'min(60vw, calc((100vh - 520px) * 4 / 3))', minWidth: 280 }} />
          {camera.state.status === 'live' && reason !== 'login_failures' ? <FaceGuidance guidance={guidance} error={frameError} /> : null}
        </>
      ) : null}
      {session.codename ? <div style={{ fontSize: 24, color: token.colorTextSecondary }}>{t('booth.lock.saved')}</div> : null}
    </div>
  );
}

const screenStyle: CSSProperties = {
  position: 'fixed',
  inset: 0,
  zIndex: 1000,
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 20,
  padding: 32,
  textAlign: 'center',
  overflow: 'auto',
};
