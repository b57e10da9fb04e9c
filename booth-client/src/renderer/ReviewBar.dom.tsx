import type { CSSProperties } from 'react';
import { theme } from 'antd';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { waitingText } from './review-view.ts';
import { barState, reportActive, reportStageShown } from './report/report-view.ts';

/**
 * The review's stages across the top of the workspace (初步评审 → 详细评审 → 签名提交 → 评审结果),
 * then 评标报告 once the results are final; the current one marked, what a waiting step waits for
 * (code names), and the offline badge. Drawn by hand rather than with antd Steps so the type stays
 * large and the states are plain. In the report stage the report panel says what to do (one place):
 * the bar says only that the report is being prepared, before it arrives.
 */
export function ReviewBar({ review, report = null }: { review: ReviewView; report?: ReportView | null }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const { stages, current, status } = barState(review, report);
  const waiting = reportActive(report) ? null : reportStageShown(review, report) ? t('report.step.none') : waitingText(review, t);

  return (
    <div data-testid="review-bar" style={{ ...barStyle, background: token.colorBgContainer, borderColor: token.colorBorderSecondary }}>
      <ol data-testid="review-step" data-step={review.step} data-stage={stages[current]} data-status={status} data-report-step={report?.step ?? ''} aria-label={t('review.title')} style={listStyle}>
        {stages.map((stage, i) => {
          const state = i < current || (i === current && status === 'finish') ? 'done' : i === current ? (status === 'wait' ? 'waiting' : 'current') : 'todo';
          const active = state === 'current' || state === 'waiting';
          const colour = state === 'done' ? token.colorSuccess : active ? token.colorPrimary : token.colorTextQuaternary;
          return (
            <li
              key={stage}
              data-testid={`review-stage-${stage}`}
              data-state={state}
              aria-current={active ? 'step' : undefined}
              style={{ display: 'flex', alignItems: 'center', gap: 10, flex: 'none' }}
            >
              {i > 0 ? <span aria-hidden style={{ width: 36, height: 3, background: i <= current ? token.colorPrimary : token.colorBorder }} /> : null}
              <span aria-hidden style={{ ...dotStyle, background: state === 'todo' ? 'transparent' : colour, borderColor: colour, color: state === 'todo' ? colour : '#fff' }}>
                {state === 'done' ? '✓' : i + 1}
              </span>
              <span style={{ fontSize: 24, fontWeight: active ? 800 : 500, color: active ? token.colorText : token.colorTextSecondary }}>
                {stage === 'report' ? t('report.title') : t(`review.stage.${stage}`)}
              </span>
            </li>
          );
        })}
      </ol>
      {waiting ? (
        <div data-testid="review-waiting" role="status" aria-live="polite" style={{ fontSize: 22, color: status === 'finish' ? token.colorSuccessText : token.colorWarningText, flex: '1 1 320px', minWidth: 0 }}>
          {waiting}
        </div>
      ) : (
        <div style={{ flex: 1 }} />
      )}
      {review.offline ? (
        <div data-testid="review-offline" role="status" style={{ ...offlineStyle, background: token.colorWarningBg, borderColor: token.colorWarningBorder, color: token.colorWarningText }}>
          {t('review.offline')}
        </div>
      ) : null}
    </div>
  );
}

const barStyle: CSSProperties = { display: 'flex', alignItems: 'center', gap: 20, padding: '8px 16px', borderBottom: '1px solid', flex: 'none', flexWrap: 'wrap' };
const listStyle: CSSProperties = { display: 'flex', alignItems: 'center', gap: 10, margin: 0, padding: 0, listStyle: 'none', flex: 'none' };
const dotStyle: CSSProperties = {
  width: 40,
  height: 40,
  borderRadius: '50%',
  border: '3px solid',
  display: 'inline-flex',
  alignItems: 'center',
  justifyContent: 'center',
  fontSize: 22,
  fontWeight: 800,
};
const offlineStyle: CSSProperties = { fontSize: 20, fontWeight: 600, padding: '6px 14px', border: '2px solid', borderRadius: 10, maxWidth: 760 };
