import { useEffect, useState, type CSSProperties } from 'react';
import { Alert, Button, Typography, theme } from 'antd';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { toApiError } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { LanguageToggle, useOtherLanguage, useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { PinPad } from '@kawei/shared/ui/PinPad.dom.tsx';
import type { LogoutCause } from './useStaffSession.dom.ts';

/** The pad closes by itself when left open: the kiosk must go back to checking faces. */
const LOGIN_IDLE_MS = 60_000;

/** The discreet corner button that opens the staff login. */
export function StaffButton({ onClick }: { onClick: () => void }) {
  const { t } = useT();
  return (
    <Button data-testid="staff-button" type="text" onClick={onClick} style={{ fontSize: 18, opacity: 0.55, minHeight: 56, minWidth: 112 }}>
      {t('gate.staff.button')}
    </Button>
  );
}

/**
 * Full-screen staff login: the PIN on an on-screen keypad (there is no keyboard), the error in
 * Chinese (wrong PIN, locked out), 取消 back to the kiosk.
 */
export function StaffLogin({
  onLogin,
  onCancel,
  lastLogout,
}: {
  /** Rejects with an ApiError when the PIN is refused. */
  onLogin: (pin: string) => Promise<void>;
  onCancel: () => void;
  lastLogout: LogoutCause | null;
}) {
  const { t, lang } = useT();
  const tOther = useOtherLanguage();
  const { token } = theme.useToken();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [touchedAt, setTouchedAt] = useState(0);

  useEffect(() => {
    if (busy) return;
    const timer = setTimeout(onCancel, LOGIN_IDLE_MS);
    return () => clearTimeout(timer);
  }, [busy, onCancel, touchedAt]);

  const submit = async (pin: string) => {
    setBusy(true);
    setError(null);
    try {
      await onLogin(pin);
    } catch (thrown) {
      setError(toApiError(thrown));
      setBusy(false);
    }
  };

  const notice = error
    ? errorMessage(error.code, lang)
    : lastLogout === 'expired'
      ? errorMessage('STAFF_SESSION_EXPIRED', lang)
      : lastLogout === 'idle'
        ? t('gate.staff.loggedOut.idle')
        : null;

  return (
    <div data-testid="staff-login" style={{ ...overlayStyle, background: token.colorBgLayout }}>
      {/* In the corners, like the kiosk's own buttons, so the pad fits a 768-pixel-high screen. */}
      <Button
        data-testid="staff-login-cancel"
        size="large"
        disabled={busy}
        onClick={onCancel}
        style={{ position: 'absolute', top: 24, left: 32, minWidth: 140, height: 56, fontSize: 24 }}
      >
        {t('gate.staff.cancel')}
      </Button>
      <LanguageToggle style={{ position: 'absolute', top: 24, right: 32 }} />
      <div style={columnStyle}>
        <div style={{ textAlign: 'center' }}>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 44 }}>
            {t('gate.staff.login.title')}
          </Typography.Title>
          <Typography.Text type="secondary" style={{ fontSize: 22 }}>
            {tOther('gate.staff.login.title')}
          </Typography.Text>
          <Typography.Paragraph style={{ fontSize: 24, margin: '12px 0 0' }}>{t(busy ? 'gate.staff.login.checking' : 'gate.staff.login.prompt')}</Typography.Paragraph>
        </div>
        <div style={{ minHeight: 64, width: 'min(420px, 90vw)' }}>
          {notice ? (
            <Alert
              data-testid="staff-login-error"
              data-code={error?.code ?? lastLogout ?? ''}
              type={error ? 'error' : 'info'}
              showIcon
              title={<span style={{ fontSize: 22 }}>{notice}</span>}
            />
          ) : null}
        </div>
        <PinPad
          busy={busy}
          onSubmit={(pin) => void submit(pin)}
          onInput={() => {
            setError(null);
            setTouchedAt(Date.now());
          }}
        />
      </div>
    </div>
  );
}

const overlayStyle: CSSProperties = { position: 'fixed', inset: 0, zIndex: 100, display: 'flex', padding: 24, overflow: 'auto' };
// margin auto centres while it fits and scrolls from the top when it does not (justify-content
// centring would cut the title off on a 768-pixel-high screen).
const columnStyle: CSSProperties = { margin: 'auto', display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 16 };
