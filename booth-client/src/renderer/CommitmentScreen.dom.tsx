import { useEffect, useState, type CSSProperties } from 'react';
import { Button, Spin, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { LanguageToggle, useT } from '@kawei/shared/ui/i18n.dom.tsx';
import type { CameraStream } from '@kawei/shared/ui/useCameraStream.dom.ts';
import { CameraPreview } from './CameraPreview.dom.tsx';
import { PinDialog } from './PinDialog.dom.tsx';
import { ProjectLines } from './ProjectHeading.dom.tsx';

type Commitment = Awaited<ReturnType<ApiConnection<BoothContract>['api']['getCommitment']>>;

/**
 * After login: the day's code name (the only name this screen knows), the project, and the
 * commitment letter in large type; 签署承诺书 opens the USB-key PIN pad. The files open only after
 * the signature: the session moves to `working` by itself.
 */
export function CommitmentScreen({ api, session, camera }: { api: ApiConnection<BoothContract>['api']; session: BoothSession; camera: CameraStream }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [letter, setLetter] = useState<Commitment | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [signing, setSigning] = useState(false);

  useEffect(() => {
    let cancelled = false;
    api.getCommitment({}).then(
      (answer) => {
        if (cancelled) return;
        setLetter(answer);
        setError(null);
      },
      (thrown: unknown) => {
        if (!cancelled) setError(toApiError(thrown));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  const sign = async (pin: string) => {
    await api.signCommitment({ pin });
    setSigning(false);
  };

  return (
    <div data-testid="commitment-screen" style={{ ...screenStyle, background: token.colorBgLayout }}>
      <header style={headerStyle}>
        <div>
          <div style={{ fontSize: 28, color: token.colorTextSecondary }}>{t('booth.codename.label')}</div>
          <div data-testid="booth-codename" style={{ fontSize: 'clamp(72px, 9vw, 150px)', fontWeight: 800, lineHeight: 1, letterSpacing: '0.04em', color: token.colorPrimary }}>
            {session.codename ?? '—'}
          </div>
        </div>
        <div style={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column', gap: 8 }}>
          <div style={{ fontSize: 24, color: token.colorTextSecondary }}>
            {session.roomName} · {session.boothLabel}
          </div>
          <ProjectLines project={session.project} fontSize={28} />
        </div>
        <CameraPreview camera={camera} small style={{ height: 96 }} />
        <LanguageToggle />
      </header>

      <section style={{ ...letterBoxStyle, background: token.colorBgContainer, borderColor: token.colorBorder }}>
        <div style={{ fontSize: 40, fontWeight: 800, textAlign: 'center' }}>{t('booth.commitment.title')}</div>
        <div style={{ fontSize: 24, color: token.colorTextSecondary, textAlign: 'center' }}>{t('booth.commitment.prompt')}</div>
        {letter ? (
          <div data-testid="commitment-text" style={letterTextStyle}>
            {letter.text}
          </div>
        ) : error ? (
          <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 16, padding: 32 }}>
            <span data-testid="booth-error" data-code={error.code} style={{ fontSize: 28, color: token.colorErrorText }}>
              {errorMessage(error.code, lang)}
            </span>
            <Button size="large" onClick={() => setAttempt((n) => n + 1)} style={{ height: 60, fontSize: 24 }}>
              {t('app.retry')}
            </Button>
          </div>
        ) : (
          <div style={{ display: 'flex', gap: 16, alignItems: 'center', justifyContent: 'center', padding: 48, fontSize: 28 }}>
            <Spin size="large" /> {t('booth.commitment.loading')}
          </div>
        )}
      </section>

      <footer style={footerStyle}>
        {!session.token.present ? (
          <span data-testid="booth-error" data-code="TOKEN_ABSENT" style={{ fontSize: 30, fontWeight: 700, color: token.colorErrorText }}>
            {errorMessage('TOKEN_ABSENT', lang)}
          </span>
        ) : null}
        <Button
          data-testid="commitment-sign"
          type="primary"
          size="large"
          disabled={!letter || session.commitmentSigned}
          onClick={() => setSigning(true)}
          style={{ height: 88, minWidth: 360, fontSize: 36, fontWeight: 700 }}
        >
          {session.commitmentSigned ? t('booth.commitment.signed') : t('booth.commitment.sign')}
        </Button>
      </footer>

      {signing ? <PinDialog title={t('booth.pin.title.commitment')} token={session.token} onSign={sign} onCancel={() => setSigning(false)} /> : null}
    </div>
  );
}

const screenStyle: CSSProperties = { position: 'fixed', inset: 0, display: 'flex', flexDirection: 'column', gap: 16, padding: '20px 32px' };
const headerStyle: CSSProperties = { display: 'flex', alignItems: 'center', gap: 32 };
const letterBoxStyle: CSSProperties = {
  flex: 1,
  minHeight: 0,
  display: 'flex',
  flexDirection: 'column',
  gap: 12,
  padding: '20px 32px',
  border: '2px solid',
  borderRadius: 16,
  overflow: 'hidden',
};
const letterTextStyle: CSSProperties = {
  flex: 1,
  overflow: 'auto',
  whiteSpace: 'pre-wrap',
  fontSize: 'clamp(24px, 1.9vw, 32px)',
  lineHeight: 1.9,
  padding: '8px 4px',
};
const footerStyle: CSSProperties = { display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: 32 };
