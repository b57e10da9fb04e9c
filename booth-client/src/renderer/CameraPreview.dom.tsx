import type { CSSProperties } from 'react';
import { Button, Spin, theme } from 'antd';
import type { MessageKey } from '@kawei/shared/i18n/messages.ts';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import type { CameraProblem } from '@kawei/shared/ui/useCamera.dom.ts';
import type { CameraStream } from '@kawei/shared/ui/useCameraStream.dom.ts';

const CAMERA_TEXT: Record<CameraProblem, MessageKey> = {
  denied: 'gate.camera.denied',
  absent: 'gate.camera.absent',
  busy: 'gate.camera.busy',
  unsupported: 'gate.camera.unsupported',
  lost: 'gate.camera.lost',
  other: 'gate.camera.busy',
};

/**
 * One view of the booth's camera (the stream is shared: see useCameraStream). Mirrored like a
 * looking-glass; frames are grabbed unmirrored. `small` is the workspace's corner thumbnail, which
 * only reassures the expert that presence is watched and says nothing in words.
 */
export function CameraPreview({ camera, small = false, style }: { camera: CameraStream; small?: boolean; style?: CSSProperties }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const { state, attach, retry } = camera;
  return (
    <div
      data-testid={small ? 'booth-camera-small' : 'booth-camera'}
      data-state={state.status}
      style={{ ...boxStyle, borderRadius: small ? 8 : 20, borderWidth: small ? 2 : 3, background: token.colorFillSecondary, borderColor: token.colorBorder, ...style }}
    >
      <video
        ref={attach}
        muted
        playsInline
        autoPlay
        style={{ ...videoStyle, visibility: state.status === 'live' ? 'visible' : 'hidden' }}
      />
      {state.status === 'starting' && !small ? (
        <div style={overlayStyle}>
          <Spin size="large" />
          <span style={{ fontSize: 26 }}>{t('gate.camera.starting')}</span>
        </div>
      ) : null}
      {state.status === 'failed' ? (
        <div data-testid="booth-camera-error" data-problem={state.problem} role="alert" style={overlayStyle}>
          {small ? (
            <span style={{ fontSize: 28, color: token.colorErrorText }}>⚠</span>
          ) : (
            <>
              <span style={{ fontSize: 28, color: token.colorErrorText, fontWeight: 600 }}>{t(CAMERA_TEXT[state.problem])}</span>
              <Button type="primary" size="large" onClick={() => retry()} style={{ height: 64, fontSize: 26 }}>
                {t('gate.camera.retry')}
              </Button>
            </>
          )}
        </div>
      ) : null}
    </div>
  );
}

const boxStyle: CSSProperties = { position: 'relative', aspectRatio: '4 / 3', borderStyle: 'solid', overflow: 'hidden', flex: 'none' };
const videoStyle: CSSProperties = { width: '100%', height: '100%', objectFit: 'cover', transform: 'scaleX(-1)', display: 'block' };
const overlayStyle: CSSProperties = {
  position: 'absolute',
  inset: 0,
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 20,
  padding: 16,
  textAlign: 'center',
};
