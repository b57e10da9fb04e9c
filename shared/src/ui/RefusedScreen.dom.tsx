import type { ReactNode } from 'react';
import { Typography, theme } from 'antd';
import type { LinkStatus } from '../contract/device-status.ts';
import { errorMessage } from '../i18n/messages.ts';
import { useT } from './i18n.dom.tsx';
import { ScreenFrame } from './ScreenFrame.dom.tsx';

/**
 * The central refuses this device (revoked, or no longer known). Nothing the expert can do helps, so
 * the whole screen says so and asks for the technician; where the device stands and why it was
 * refused are shown for the technician.
 */
export function RefusedScreen({
  link,
  positionLabel,
  footer,
}: {
  link: LinkStatus;
  positionLabel: string;
  footer?: ReactNode;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  return (
    <ScreenFrame testId="refused-screen" background={token.colorErrorBg} footer={footer}>
      <Typography.Title level={1} style={{ margin: 0, fontSize: 56, color: token.colorErrorText }}>
        {t('refused.title')}
      </Typography.Title>
      <Typography.Paragraph style={{ fontSize: 32, maxWidth: 1000, margin: 0 }}>{t('refused.body')}</Typography.Paragraph>
      <Typography.Text style={{ fontSize: 26 }}>{positionLabel}</Typography.Text>
      {link.reason ? (
        <Typography.Text type="secondary" style={{ fontSize: 22 }}>
          {t('refused.reason', { reason: errorMessage(link.reason, lang) })}
        </Typography.Text>
      ) : null}
    </ScreenFrame>
  );
}
