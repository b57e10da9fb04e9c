import type { CSSProperties, ReactNode } from 'react';
import { Button, Spin, Typography, theme } from 'antd';
import { LanguageToggle, useT } from './i18n.dom.tsx';
import type { ApiError } from '../errors.ts';
import { errorMessage } from '../i18n/messages.ts';

/**
 * The full-screen frame every screen sits in: the language toggle in the top-right corner (out of
 * the way, but always reachable by touch), the content centred, an optional footer.
 */
export function ScreenFrame({
  testId,
  children,
  footer,
  background,
}: {
  testId: string;
  children: ReactNode;
  footer?: ReactNode;
  background?: string;
}) {
  const { token } = theme.useToken();
  return (
    <div data-testid={testId} style={{ ...frameStyle, background: background ?? token.colorBgLayout }}>
      <header style={headerStyle}>
        <LanguageToggle />
      </header>
      <main style={mainStyle}>{children}</main>
      {footer ? <footer style={footerStyle}>{footer}</footer> : null}
    </div>
  );
}

const frameStyle: CSSProperties = {
  position: 'relative',
  minHeight: '100vh',
  display: 'flex',
  flexDirection: 'column',
  boxSizing: 'border-box',
};
// Floats in the corner rather than taking a row: on a 768-pixel-high screen the enrolment form needs
// the whole height, and centred content never reaches the corner.
const headerStyle: CSSProperties = { position: 'absolute', top: 24, right: 32, zIndex: 1 };
const mainStyle: CSSProperties = {
  flex: 1,
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 40,
  padding: '24px 48px',
  textAlign: 'center',
};
const footerStyle: CSSProperties = { padding: '12px 32px 20px' };

/** Before the first status arrives; with a retry button if asking for it failed. */
export function LoadingScreen({ error, onRetry }: { error?: ApiError | null; onRetry?: () => void }) {
  const { t, lang } = useT();
  return (
    <ScreenFrame testId="loading-screen">
      {error ? (
        <>
          <Typography.Text type="danger" style={{ fontSize: 26 }}>
            {errorMessage(error.code, lang)}
          </Typography.Text>
          {onRetry ? (
            <Button type="primary" size="large" onClick={onRetry} style={{ minWidth: 200 }}>
              {t('app.retry')}
            </Button>
          ) : null}
        </>
      ) : (
        <>
          <Spin size="large" />
          <Typography.Text style={{ fontSize: 26 }}>{t('app.loading')}</Typography.Text>
        </>
      )}
    </ScreenFrame>
  );
}
