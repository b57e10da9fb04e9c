import type { CSSProperties, ReactNode } from 'react';
import { Typography } from 'antd';
import type { LinkStatus } from '../contract/device-status.ts';
import { LinkBadge } from './LinkBadge.dom.tsx';
import { ScreenFrame } from './ScreenFrame.dom.tsx';

/**
 * An enrolled device at rest: where it stands, in type large enough to read from the doorway, one
 * line saying what it waits for, and the link to the central. Nothing else competes for attention.
 */
export function IdleScreen({
  positionLabel,
  context,
  waiting,
  link,
  footer,
}: {
  /** "3号评标室 · A5 卡位": the one thing an expert looks for. */
  positionLabel: string;
  /** An optional smaller line above the label, e.g. the site for a room door. */
  context?: string | null;
  waiting: string;
  link: LinkStatus;
  footer?: ReactNode;
}) {
  return (
    <ScreenFrame testId="idle-screen" footer={footer}>
      <div>
        {context ? (
          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 32, marginBottom: 8 }}>
            {context}
          </Typography.Text>
        ) : null}
        <Typography.Title level={1} data-testid="position-label" style={positionStyle}>
          {positionLabel}
        </Typography.Title>
      </div>
      <Typography.Text style={{ fontSize: 36 }}>{waiting}</Typography.Text>
      <LinkBadge link={link} />
    </ScreenFrame>
  );
}

const positionStyle: CSSProperties = {
  margin: 0,
  // Fills a 1920-wide booth screen without wrapping "3号评标室 · A5 卡位"; shrinks on smaller ones.
  fontSize: 'clamp(48px, 7.5vw, 144px)',
  lineHeight: 1.15,
  fontWeight: 700,
  letterSpacing: '0.02em',
};
