import { useState, type CSSProperties, type ReactNode } from 'react';
import { Alert, Button, Spin, theme } from 'antd';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { toApiError } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { PinPad } from '@kawei/shared/ui/PinPad.dom.tsx';
import { signingErrorText } from './booth-view.ts';

/**
 * The USB-key PIN on the on-screen keypad, for one signature (the commitment letter or the score
 * sheet). While the services sign, the pad is disabled and says so; a refusal is shown in Chinese
 * and the pad stays open for another try. The PIN never leaves the keypad's state until 确定.
 * `about` shows what is being signed between the title and the pad (the report's PDF hash, PinHash).
 */
export function PinDialog({
  title,
  token: usbKey,
  about,
  onSign,
  onCancel,
}: {
  title: string;
  token: BoothSession['token'];
  /** What this signature is about, shown under the title (the report's hash); the error line widens for it. */
  about?: ReactNode;
  /** Resolves when signed (the dialog's owner closes it); rejects with an ApiError to stay open. */
  onSign: (pin: string) => Promise<void>;
  onCancel: () => void;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (pin: string) => {
    setBusy(true);
    setError(null);
    try {
      await onSign(pin);
    } catch (thrown) {
      setError(toApiError(thrown));
      setBusy(false);
    }
  };

  const absent = !usbKey.present;
  return (
    <div style={maskStyle}>
      {/* In the corner, like the gate's staff login, so the pad fits a 768-pixel-high screen. */}
      <Button data-testid="pin-cancel" size="large" disabled={busy} onClick={onCancel} style={{ position: 'absolute', top: 24, left: 32, minWidth: 140, height: 56, fontSize: 24 }}>
        {t('booth.pin.cancel')}
      </Button>
      <div data-testid="pin-dialog" role="dialog" aria-modal aria-labelledby="pin-title" style={{ ...boxStyle, background: token.colorBgContainer }}>
        <div id="pin-title" style={{ fontSize: 36, fontWeight: 800 }}>
          {title}
        </div>
        {about}
        <div style={{ fontSize: 24 }}>{busy ? t('booth.pin.signing') : t('booth.pin.prompt')}</div>
        <div data-testid="pin-token" data-present={usbKey.present ? 'true' : 'false'} style={{ fontSize: 22, color: absent ? token.colorErrorText : token.colorSuccessText }}>
          {absent ? errorMessage('TOKEN_ABSENT', lang) : usbKey.label ? t('booth.pin.token', { label: usbKey.label }) : t('booth.pin.tokenPresent')}
        </div>
        <div style={{ minHeight: 48, width: about ? 'min(480px, 90vw)' : 'min(420px, 90vw)' }}>
          {busy ? (
            <div data-testid="pin-signing" style={{ display: 'flex', gap: 16, alignItems: 'center', justifyContent: 'center', fontSize: 24 }}>
              <Spin size="large" />
            </div>
          ) : error ? (
            <Alert data-testid="booth-error" data-code={error.code} type="error" showIcon title={<span style={{ fontSize: 24 }}>{signingErrorText(error, lang)}</span>} />
          ) : null}
        </div>
        <PinPad minLength={4} maxLength={16} busy={busy} onSubmit={(pin) => void submit(pin)} onInput={() => setError(null)} />
      </div>
    </div>
  );
}

const maskStyle: CSSProperties = {
  position: 'fixed',
  inset: 0,
  zIndex: 900,
  background: 'rgba(0,0,0,0.55)',
  display: 'flex',
  padding: 16,
  overflow: 'auto',
};
const boxStyle: CSSProperties = {
  margin: 'auto',
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  gap: 6,
  padding: '16px 40px',
  borderRadius: 24,
  textAlign: 'center',
};
