import type { CSSProperties } from 'react';
import { Tag, theme } from 'antd';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { MessageKey } from '@kawei/shared/i18n/messages.ts';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { resultTable, type ResultColumn } from './review-view.ts';

const HEADINGS: Partial<Record<ResultColumn, MessageKey>> = {
  rank: 'review.results.rank',
  bid: 'review.results.bid',
  expertScore: 'review.results.expertScore',
  priceScore: 'review.results.priceScore',
  score: 'review.results.score',
  price: 'review.results.price',
  evaluatedPrice: 'review.results.evaluatedPrice',
};

/**
 * The committee's results as every booth sees them: bids by code, the experts as 评委1…n with their
 * totals, the experts' score, the price score, the total, the rank (ties marked) and the recommended
 * candidates; marked provisional until the chair (or the centre) confirms them.
 */
export function ResultsView({ review }: { review: ReviewView }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const results = review.committee?.results ?? null;
  const final = review.step === 'final' || review.committee?.stage === 'final';

  return (
    <div data-testid="results-view" data-final={final ? 'true' : 'false'} style={{ height: '100%', display: 'flex', flexDirection: 'column', minWidth: 0 }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 16, padding: '8px 12px', flexWrap: 'wrap' }}>
        <span style={{ fontSize: 30, fontWeight: 800 }}>{t('review.results.title')}</span>
        <span
          data-testid="results-state"
          style={{ fontSize: 22, fontWeight: 700, padding: '4px 12px', borderRadius: 8, background: final ? token.colorSuccessBg : token.colorWarningBg, color: final ? token.colorSuccessText : token.colorWarningText }}
        >
          {final ? `✓ ${t('review.results.final')}` : t('review.results.provisional')}
        </span>
        <span style={{ fontSize: 20, color: token.colorTextSecondary }}>{t(`review.method.${review.method}`)}</span>
      </div>
      {results ? <Table review={review} results={results} /> : <div style={{ padding: 24, fontSize: 24 }}>{t('review.results.none')}</div>}
    </div>
  );
}

function Table({ review, results }: { review: ReviewView; results: NonNullable<NonNullable<ReviewView['committee']>['results']> }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const table = resultTable(results, review.method, review.rules.settings.decimals);
  const heading = (column: ResultColumn) => {
    if (column.startsWith('judge:')) return table.judges[Number(column.slice('judge:'.length))] ?? column;
    const key = HEADINGS[column];
    return key ? t(key) : column;
  };
  return (
    <div style={{ flex: 1, minHeight: 0, overflow: 'auto', padding: '0 12px 12px' }}>
      <table data-testid="results-table" style={{ borderCollapse: 'collapse', minWidth: '100%', fontSize: 24 }}>
        <thead>
          <tr>
            {table.columns.map((column) => (
              <th key={column} style={{ ...cellStyle, position: 'sticky', top: 0, background: token.colorBgContainer, borderColor: token.colorBorder, fontSize: 20 }}>
                {heading(column)}
              </th>
            ))}
            <th style={{ ...cellStyle, position: 'sticky', top: 0, background: token.colorBgContainer, borderColor: token.colorBorder, fontSize: 20 }} />
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr
              key={row.bid}
              data-testid={`results-row-${row.bid}`}
              data-rank={row.rank}
              data-tied={row.tied ? 'true' : 'false'}
              data-recommended={row.recommended ? 'true' : 'false'}
              style={{ background: row.recommended ? token.colorSuccessBg : undefined }}
            >
              {table.columns.map((column) => (
                <td
                  key={column}
                  data-col={column}
                  style={{ ...cellStyle, borderColor: token.colorBorderSecondary, fontWeight: column === 'score' || column === 'rank' || column === 'bid' ? 800 : 400, textAlign: column === 'bid' ? 'left' : 'right' }}
                >
                  {row.cells[column] ?? ''}
                  {column === 'rank' && row.tied ? <span style={{ fontSize: 18, marginLeft: 6, color: token.colorWarningText }}>{t('review.results.tied')}</span> : null}
                </td>
              ))}
              <td style={{ ...cellStyle, borderColor: token.colorBorderSecondary }}>
                {row.recommended ? (
                  <Tag data-testid={`results-recommended-${row.bid}`} color="green" style={{ fontSize: 20, padding: '4px 10px' }}>
                    {t('review.results.recommended')}
                  </Tag>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const cellStyle: CSSProperties = { padding: '8px 12px', borderBottom: '1px solid', whiteSpace: 'nowrap' };
