import type { CSSProperties } from 'react';
import { Spin, theme } from 'antd';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { guidanceText, noticeText, noticeTone, type Guidance, type Notice } from './booth-view.ts';

/** The one big instruction under the camera, with the liveness progress bar during a challenge. */
export function FaceGuidance({ guidance, error }: { guidance: Guidance | null; error: ApiError | null }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const challenge = guidance && guidance.quality === null ? guidance.challenge : null;
  const percent = Math.round((guidance?.progress ?? 0) * 100);
  const matching = guidance !== null && guidance.quality === null && guidance.challenge === null;
  return (
    <div
      data-testid="booth-guidance"
      data-quality={guidance?.quality ?? ''}
      data-challenge={challenge ?? ''}
      role="status"
      aria-live="polite"
      style={columnStyle}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 20, justifyContent: 'center' }}>
        {matching ? <Spin size="large" /> : null}
        <span style={{ fontSize: 'clamp(32px, 3.6vw, 60px)', fontWeight: 700, lineHeight: 1.2 }}>{guidanceText(guidance, t)}</span>
      </div>
      {challenge ? (
        <div
          data-testid="booth-liveness-progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-label={t('booth.face.progress', { percent })}
          style={{ ...trackStyle, background: token.colorFillSecondary }}
        >
          <div style={{ height: '100%', width: `${percent}%`, background: token.colorPrimary, transition: 'width 200ms linear' }} />
        </div>
      ) : null}
      {error ? (
        <span data-testid="booth-error" data-code={error.code} style={{ fontSize: 22, color: token.colorWarningText }}>
          {t('booth.face.checkError', { error: errorMessage(error.code, lang) })}
        </span>
      ) : null}
    </div>
  );
}

/** A notice from the face services, at the top of the screen over whatever phase is shown. */
export function NoticeBanner({ notice, attemptsLeft }: { notice: Notice; attemptsLeft: number }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const tone = noticeTone(notice);
  const background = tone === 'success' ? token.colorSuccess : tone === 'error' ? token.colorError : token.colorWarning;
  return (
    <div data-testid="booth-notice" data-notice={notice} role="alert" style={{ ...bannerStyle, background }}>
      {noticeText(notice, attemptsLeft, t)}
    </div>
  );
}

const columnStyle: CSSProperties = { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 12, minHeight: 88 };
const trackStyle: CSSProperties = { width: 'min(640px, 80vw)', height: 20, borderRadius: 10, overflow: 'hidden' };
const bannerStyle: CSSProperties = {
  position: 'fixed',
  top: 16,
  left: '50%',
  transform: 'translateX(-50%)',
  zIndex: 1200,
  maxWidth: '80vw',
  padding: '16px 40px',
  borderRadius: 16,
  color: '#fff',
  fontSize: 'clamp(28px, 2.8vw, 44px)',
  fontWeight: 700,
  textAlign: 'center',
  boxShadow: '0 8px 24px rgba(0,0,0,0.25)',
  pointerEvents: 'none',
};
