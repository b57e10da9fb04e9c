import type { CSSProperties, ReactNode } from 'react';
import { theme } from 'antd';

/** A plain modal in the booth's large type: a title, a body and a row of big buttons. */
export function BigDialog({ testId, title, children, actions }: { testId: string; title: string; children?: ReactNode; actions: ReactNode }) {
  const { token } = theme.useToken();
  return (
    <div style={maskStyle}>
      <div data-testid={testId} role="dialog" aria-modal aria-label={title} style={{ ...boxStyle, background: token.colorBgContainer }}>
        <div style={{ fontSize: 36, fontWeight: 800 }}>{title}</div>
        {children ? <div style={{ fontSize: 24, lineHeight: 1.6, overflow: 'auto', minHeight: 0 }}>{children}</div> : null}
        <div style={{ display: 'flex', gap: 24, justifyContent: 'center', flexWrap: 'wrap' }}>{actions}</div>
      </div>
    </div>
  );
}

export const bigButtonStyle: CSSProperties = { height: 72, minWidth: 220, fontSize: 28, fontWeight: 600 };

const maskStyle: CSSProperties = {
  position: 'fixed',
  inset: 0,
  zIndex: 880,
  background: 'rgba(0,0,0,0.5)',
  display: 'flex',
  alignItems: 'center',
  justifyContent: 'center',
  padding: 24,
};
const boxStyle: CSSProperties = {
  display: 'flex',
  flexDirection: 'column',
  gap: 20,
  padding: '28px 40px',
  borderRadius: 24,
  maxWidth: 'min(900px, 92vw)',
  maxHeight: '90vh',
  textAlign: 'center',
};
