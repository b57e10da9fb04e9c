import { useEffect, useState, type CSSProperties } from 'react';
import { theme } from 'antd';
import type { LinkStatus } from '../contract/device-status.ts';
import { formatElapsed, linkStateLabel } from '../i18n/messages.ts';
import { useT } from './i18n.dom.tsx';

/** The current time, refreshed every `intervalMs`, so "12 秒前" keeps counting without new data. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

type LinkState = LinkStatus['state'];

/**
 * The link to the central at a glance: a coloured dot and a word (在线 green, 离线 red, 已被中心拒绝
 * solid red, 连接中… grey), then how long ago the central last answered.
 */
export function LinkBadge({ link }: { link: LinkStatus }) {
  const { t, lang } = useT();
  const now = useNow();
  const colours = useLinkColours()[link.state];
  const lastContact =
    link.lastContactAt === null
      ? link.state === 'unknown'
        ? null
        : t('link.neverContacted')
      : t('link.lastContact', { ago: formatElapsed(now - link.lastContactAt, lang) });

  return (
    <div
      data-testid="link-badge"
      data-state={link.state}
      role="status"
      style={{ ...badgeStyle, color: colours.text, background: colours.background, borderColor: colours.border }}
    >
      <span aria-hidden style={{ ...dotStyle, background: colours.dot }} />
      <span style={{ fontWeight: 600 }}>{linkStateLabel(link.state, lang)}</span>
      {lastContact ? <span style={{ opacity: 0.85, fontSize: '0.8em' }}>· {lastContact}</span> : null}
    </div>
  );
}

interface BadgeColours {
  text: string;
  background: string;
  border: string;
  dot: string;
}

/** The darker text shades: the badge is read from a distance, often by older eyes. */
function useLinkColours(): Record<LinkState, BadgeColours> {
  const { token } = theme.useToken();
  return {
    online: { text: token.colorSuccessTextActive, background: token.colorSuccessBg, border: token.colorSuccessBorder, dot: token.colorSuccess },
    offline: { text: token.colorErrorTextActive, background: token.colorErrorBg, border: token.colorErrorBorder, dot: token.colorError },
    // Solid: being refused needs the technician, not patience.
    refused: { text: '#fff', background: token.colorError, border: token.colorError, dot: '#fff' },
    unknown: { text: token.colorTextSecondary, background: token.colorFillQuaternary, border: token.colorBorder, dot: token.colorTextQuaternary },
  };
}

const badgeStyle: CSSProperties = {
  display: 'inline-flex',
  alignItems: 'center',
  gap: 12,
  padding: '10px 24px',
  border: '2px solid',
  borderRadius: 999,
  fontSize: 24,
  lineHeight: 1.3,
};
const dotStyle: CSSProperties = { width: 16, height: 16, borderRadius: '50%', flex: 'none' };
