import { useState, type CSSProperties, type ReactNode } from 'react';
import { Alert, Button, Spin, theme } from 'antd';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { toApiError } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { PinPad } from '@kawei/shared/ui/PinPad.dom.tsx';
import { signingErrorText } from '../booth-view.ts';
import { shortHash } from './report-view.ts';

/**
 * The USB-key PIN for the report: the booth's PIN dialog (PinDialog.dom.tsx: the same keypad, the
 * same test ids, the same Chinese refusals) with what is being signed above the pad — the short hash
 * of the exact PDF on screen when the expert pressed the button (the one the call names), and for a
 * dissent a line of its text. A refusal (PIN_INCORRECT, REPORT_CHANGED, REPORT_NOT_YOUR_TURN…) keeps
 * the pad open with the reason in Chinese.
 */
export function ReportPinDialog({
  title,
  token: usbKey,
  sha256,
  detail,
  onSign,
  onCancel,
}: {
  title: string;
  token: BoothSession['token'];
  /** The PDF this signature is about (its full hash is in data-sha256; the screen shows the short form). */
  sha256: string;
  /** More of what is signed (the dissent's first words). */
  detail?: ReactNode;
  /** Resolves when signed (the owner closes the dialog); rejects with an ApiError to stay open. */
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
      <Button data-testid="pin-cancel" size="large" disabled={busy} onClick={onCancel} style={{ position: 'absolute', top: 24, left: 32, minWidth: 140, height: 56, fontSize: 24 }}>
        {t('booth.pin.cancel')}
      </Button>
      <div data-testid="pin-dialog" role="dialog" aria-modal aria-labelledby="pin-title" style={{ ...boxStyle, background: token.colorBgContainer }}>
        <div id="pin-title" style={{ fontSize: 36, fontWeight: 800 }}>
          {title}
        </div>
        <div data-testid="pin-hash" data-sha256={sha256} style={{ ...hashBoxStyle, background: token.colorFillTertiary, borderColor: token.colorBorder }}>
          <div style={{ fontSize: 20, color: token.colorTextSecondary }}>{t('report.sign.hash')}</div>
          <div data-testid="pin-hash-short" style={{ fontSize: 30, fontWeight: 700, fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', letterSpacing: '0.06em' }}>
            {shortHash(sha256)}
          </div>
          <div style={{ fontSize: 18, color: token.colorTextSecondary }}>{t('report.sign.hashHint')}</div>
          {detail ? <div data-testid="pin-detail" style={{ fontSize: 20, maxWidth: 560, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{detail}</div> : null}
        </div>
        <div style={{ fontSize: 24 }}>{busy ? t('booth.pin.signing') : t('booth.pin.prompt')}</div>
        <div data-testid="pin-token" data-present={usbKey.present ? 'true' : 'false'} style={{ fontSize: 22, color: absent ? token.colorErrorText : token.colorSuccessText }}>
          {absent ? errorMessage('TOKEN_ABSENT', lang) : usbKey.label ? t('booth.pin.token', { label: usbKey.label }) : t('booth.pin.tokenPresent')}
        </div>
        <div style={{ minHeight: 48, width: 'min(480px, 90vw)' }}>
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
const hashBoxStyle: CSSProperties = { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 2, padding: '8px 20px', border: '1px solid', borderRadius: 12 };
