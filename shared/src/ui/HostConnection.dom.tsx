import type { CSSProperties } from 'react';
import { Typography, theme } from 'antd';
import type { ConnectionFailure, ConnectionState } from './api-client.dom.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { useT } from './i18n.dom.tsx';
import { ScreenFrame } from './ScreenFrame.dom.tsx';

/*
 * The renderer's own link to its local service (Electron main or the Node host), as opposed to the
 * device's link to the central shown by LinkBadge. Only the WebSocket transport ever leaves 'ready'.
 */

/**
 * A notice floating near the bottom while the local host is away: what is on screen may be stale
 * until it returns. Kept clear of the language toggle and of whatever the screen shows in its middle.
 */
export function HostReconnectingBanner({ state }: { state: ConnectionState }) {
  const { t } = useT();
  const { token } = theme.useToken();
  if (state.status !== 'reconnecting') return null;
  return (
    <div
      data-testid="host-reconnecting"
      role="status"
      style={{
        ...floatingNoticeStyle,
        color: token.colorWarningText,
        background: token.colorWarningBg,
        borderColor: token.colorWarningBorder,
      }}
    >
      {t('host.reconnecting')}
    </div>
  );
}

const floatingNoticeStyle: CSSProperties = {
  position: 'fixed',
  left: '50%',
  bottom: 64,
  transform: 'translateX(-50%)',
  zIndex: 1000,
  padding: '12px 32px',
  border: '2px solid',
  borderRadius: 999,
  fontSize: 24,
  whiteSpace: 'nowrap',
};

const FAILURE_TEXT: Record<ConnectionFailure, MessageKey> = {
  'no-secret': 'host.failed.noSecret',
  unauthorised: 'host.failed.unauthorised',
  'wrong-contract': 'host.failed.wrongContract',
};

/**
 * Nothing retrying can fix (no launch secret, secret refused, wrong app): a full-screen notice for the
 * technician instead of an enrolment form that could never work.
 */
export function HostFailedScreen({ failure }: { failure: ConnectionFailure }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const testId = failure === 'wrong-contract' ? 'host-wrong-contract' : 'host-unauthorised';
  return (
    <ScreenFrame testId={testId} background={token.colorWarningBg}>
      <Typography.Title level={1} style={{ margin: 0, fontSize: 48 }}>
        {t('host.failed.title')}
      </Typography.Title>
      <Typography.Paragraph style={{ fontSize: 28, maxWidth: 900, margin: 0 }}>{t(FAILURE_TEXT[failure])}</Typography.Paragraph>
    </ScreenFrame>
  );
}
