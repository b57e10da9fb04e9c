import type { CSSProperties, ReactNode } from 'react';
import { theme } from 'antd';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { shortHash } from './report-view.ts';

/**
 * What a report signature is about, for the booth's PIN dialog (PinDialog's `about`): the short hash
 * of the exact PDF on screen when the expert pressed the button (the one the call names; the full
 * hash is in data-sha256), and for a dissent a line of its text.
 * REPORT_CHANGED, REPORT_NOT_YOUR_TURN…) keeps the pad open with the reason in Chinese, as for the
 * other signatures.
 */
export function PinHash({ sha256, detail }: { sha256: string; detail?: ReactNode }) {
  const { t } = useT();
  const { token } = theme.useToken();
  return (
    <div data-testid="pin-hash" data-sha256={sha256} style={{ ...hashBoxStyle, background: token.colorFillTertiary, borderColor: token.colorBorder }}>
      <div style={{ fontSize: 20, color: token.colorTextSecondary }}>{t('report.sign.hash')}</div>
      <div data-testid="pin-hash-short" style={{ fontSize: 30, fontWeight: 700, fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace', letterSpacing: '0.06em' }}>
        {shortHash(sha256)}
      </div>
      <div style={{ fontSize: 18, color: token.colorTextSecondary }}>{t('report.sign.hashHint')}</div>
      {detail ? <div data-testid="pin-detail" style={{ fontSize: 20, maxWidth: 560, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{detail}</div> : null}
    </div>
  );
}

const hashBoxStyle: CSSProperties = { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 2, padding: '8px 20px', border: '1px solid', borderRadius: 12 };
