import type { CSSProperties } from 'react';
import { theme } from 'antd';
import type { ApiError } from '@kawei/shared/errors.ts';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import type { CameraStream } from '@kawei/shared/ui/useCameraStream.dom.ts';
import type { Guidance } from './booth-view.ts';
import { CameraPreview } from './CameraPreview.dom.tsx';
import { FaceGuidance } from './FaceGuidance.dom.tsx';

/**
 * A random face re-check, over the workspace: nothing to press, the frames answer it. It closes when
 * the session says the re-check is no longer due (passed), or turns into the lock screen (failed).
 */
export function RecheckModal({ camera, guidance, frameError }: { camera: CameraStream; guidance: Guidance | null; frameError: ApiError | null }) {
  const { t } = useT();
  const { token } = theme.useToken();
  return (
    <div style={maskStyle}>
      <div data-testid="recheck-modal" role="dialog" aria-modal aria-labelledby="recheck-title" style={{ ...boxStyle, background: token.colorBgContainer }}>
        <div id="recheck-title" style={{ fontSize: 44, fontWeight: 800 }}>
          {t('booth.recheck.title')}
        </div>
        <div style={{ fontSize: 26 }}>{t('booth.recheck.body')}</div>
        <CameraPreview camera={camera} style={{ width: 'min(60vw, calc((100vh - 420px) * 4 / 3))', minWidth: 280 }} />
        <FaceGuidance guidance={guidance} error={frameError} />
      </div>
    </div>
  );
}

const maskStyle: CSSProperties = {
  position: 'fixed',
  inset: 0,
  zIndex: 950,
  background: 'rgba(0,0,0,0.55)',
  display: 'flex',
  alignItems: 'center',
  justifyContent: 'center',
  padding: 24,
};
const boxStyle: CSSProperties = {
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  gap: 16,
  padding: '28px 40px',
  borderRadius: 24,
  maxHeight: '100%',
  overflow: 'auto',
  textAlign: 'center',
};
