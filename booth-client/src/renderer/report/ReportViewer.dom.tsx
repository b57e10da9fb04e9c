import { useEffect, useState } from 'react';
import { Progress, Spin, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import { REPORT_FILE_ID, type ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { THUMBNAIL_SCALE } from '../booth-view.ts';
import { TenderViewer } from '../TenderViewer.dom.tsx';
import { A4_POINTS, downloadPercent, pageSizeFromImage, reportViewerFile } from './report-view.ts';

type Api = ApiConnection<BoothContract>['api'];

const REPORT_PANELS = ['thumbnails'] as const;

/**
 * The report's pages in the tender viewer (fileId REPORT_FILE_ID): the very PDF whose hash the view
 * names, as images from the trusted side. A new PDF (the final after the draft, the head after each
 * signature) mounts a new viewer (key = its hash), so no page of the previous one is ever shown from
 * the cache. The page size is read from page 1's image (the view carries only the page count); A4
 * until it answers. Before any PDF is here: the download's progress.
 */
export function ReportViewer({ api, report }: { api: Api; report: ReportView }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const sha256 = report.shown?.sha256 ?? null;
  const [size, setSize] = useState<{ sha256: string; width: number; height: number } | null>(null);

  useEffect(() => {
    if (!sha256) return;
    let cancelled = false;
    api.getPage({ fileId: REPORT_FILE_ID, page: 1, scale: THUMBNAIL_SCALE }).then(
      (image) => {
        const points = pageSizeFromImage(image, THUMBNAIL_SCALE);
        if (!cancelled && points) setSize({ sha256, ...points });
      },
      // No page 1 yet: the viewer shows its own per-page error and retry; the size stays A4.
      () => {},
    );
    return () => {
      cancelled = true;
    };
  }, [api, sha256]);

  const file = reportViewerFile(report, size && size.sha256 === sha256 ? size : A4_POINTS);
  const percent = downloadPercent(report.download);

  if (!file) {
    return (
      <div data-testid="report-viewer-waiting" style={{ height: '100%', display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'center', gap: 24, padding: 48 }}>
        <Spin size="large" />
        <div style={{ fontSize: 26, textAlign: 'center', color: token.colorTextSecondary }}>{report.step === 'none' ? t('report.step.none') : t('report.file.none')}</div>
        {percent !== null ? (
          <div data-testid="report-download" data-percent={percent} style={{ width: 'min(520px, 80%)' }}>
            <Progress percent={percent} size={{ height: 18 }} />
            <div style={{ fontSize: 22, textAlign: 'center' }}>{t('report.download.progress', { percent })}</div>
          </div>
        ) : null}
      </div>
    );
  }
  return (
    <div data-testid="report-viewer" data-sha256={sha256 ?? undefined} data-kind={report.shown?.kind} style={{ height: '100%', display: 'flex', flexDirection: 'column' }}>
      {percent !== null ? (
        <div data-testid="report-download" data-percent={percent} style={{ padding: '4px 12px', fontSize: 20, display: 'flex', alignItems: 'center', gap: 12 }}>
          <span style={{ flex: 'none' }}>{t('report.download.progress', { percent })}</span>
          <Progress percent={percent} showInfo={false} style={{ flex: 1, margin: 0 }} />
        </div>
      ) : null}
      <div style={{ flex: 1, minHeight: 0 }}>
        <TenderViewer key={sha256} api={api} file={file} panels={REPORT_PANELS} />
      </div>
    </div>
  );
}
