import { useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { Button, Segmented, Spin, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import { REPORT_FILE_ID } from '@kawei/shared/contract/booth-report.ts';
import type { BoothSession, TenderFileView } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { LanguageToggle, useT } from '@kawei/shared/ui/i18n.dom.tsx';
import type { CameraStream } from '@kawei/shared/ui/useCameraStream.dom.ts';
import { BigDialog, bigButtonStyle } from './BigDialog.dom.tsx';
import { CameraPreview } from './CameraPreview.dom.tsx';
import { CommitteeCard } from './CommitteeCard.dom.tsx';
import { PreliminaryPanel } from './PreliminaryPanel.dom.tsx';
import { ProjectLines } from './ProjectHeading.dom.tsx';
import { ReportPanel } from './report/ReportPanel.dom.tsx';
import { reportActive } from './report/report-view.ts';
import { ReportViewer } from './report/ReportViewer.dom.tsx';
import type { ReportState } from './report/useReport.dom.ts';
import { ResultsView } from './ResultsView.dom.tsx';
import { ReviewBar } from './ReviewBar.dom.tsx';
import { ScoreSheetPanel } from './ScoreSheetPanel.dom.tsx';
import { TenderViewer } from './TenderViewer.dom.tsx';
import type { ReviewState } from './useReview.dom.ts';

type Api = ApiConnection<BoothContract>['api'];

/**
 * The working day: a header with the code name and project, the review's stages under it, the
 * tender files and the viewer on the left, and on the right the committee (chair, flags) over the
 * current stage's panel: the preliminary review, the score sheet, or the results. Also the submitted
 * phase: the files stay readable, the sheet is frozen. While the review cannot be read (services
 * without it, a project of plain criteria not yet answered) the right side is the score sheet alone.
 *
 * Once the central has sent the report (issue #14), the report is the expert's work: it heads the
 * file list and opens in the viewer (again whenever the expert has to act: the draft to answer, their
 * turn to sign), and the right side is the report panel, with the results one tab away.
 */
export function Workspace({
  api,
  session,
  camera,
  onLogout,
  review: reviewState,
  report: reportState,
}: {
  api: Api;
  session: BoothSession;
  camera: CameraStream;
  onLogout: () => Promise<void>;
  review?: ReviewState;
  report?: ReportState;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [files, setFiles] = useState<TenderFileView[] | null>(null);
  const [filesError, setFilesError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [confirmLogout, setConfirmLogout] = useState(false);
  const [rightTab, setRightTab] = useState<'report' | 'results'>('report');
  const report = reportState?.report ?? null;
  const reportOn = reportActive(report);
  const reportStep = report?.step ?? 'none';

  // The report opens by itself when it arrives and whenever the expert has to act on it (adjusted
  // while rendering, on the change itself: a tender file opened meanwhile stays open until then).
  const acting = reportStep === 'dissent' || reportStep === 'sign';
  const focus = reportOn ? (acting ? `act:${reportStep}` : 'wait') : 'off';
  const [focused, setFocused] = useState('off');
  if (focused !== focus) {
    setFocused(focus);
    if (reportOn) setOpenId(REPORT_FILE_ID);
    if (acting) setRightTab('report');
  }

  useEffect(() => {
    let cancelled = false;
    api.listFiles({}).then(
      (list) => {
        if (cancelled) return;
        setFiles(list);
        setFilesError(null);
      },
      (thrown: unknown) => {
        if (!cancelled) setFilesError(toApiError(thrown));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  const reportOpen = reportOn && openId === REPORT_FILE_ID;
  const open = reportOpen ? null : (files?.find((f) => f.fileId === openId) ?? files?.[0] ?? null);
  const review = reviewState?.review ?? null;
  const currentBidder = open?.bidderCode ?? null;

  let stagePanel: ReactNode;
  if (report && reportState && reportOn) {
    stagePanel = (
      <div style={{ height: '100%', display: 'flex', flexDirection: 'column' }}>
        {review ? (
          <Segmented<'report' | 'results'>
            data-testid="report-tabs"
            block
            size="large"
            value={rightTab}
            onChange={(value) => setRightTab(value)}
            options={[
              { value: 'report', label: <span data-testid="report-tab-report" style={{ fontSize: 22 }}>{t('report.tab.report')}</span> },
              { value: 'results', label: <span data-testid="report-tab-results" style={{ fontSize: 22 }}>{t('report.tab.results')}</span> },
            ]}
            style={{ margin: '8px 12px 0', flex: 'none' }}
          />
        ) : null}
        {/* Kept mounted under the results tab: a dissent being written survives a look at the results. */}
        <div style={{ flex: 1, minHeight: 0, display: rightTab === 'report' || !review ? 'block' : 'none' }}>
          <ReportPanel api={api} session={session} report={report} setReport={reportState.setReport} />
        </div>
        {review && rightTab === 'results' ? (
          <div style={{ flex: 1, minHeight: 0 }}>
            <ResultsView review={review} />
          </div>
        ) : null}
      </div>
    );
  } else if (review && reviewState && review.rules.preliminary.length > 0 && (review.step === 'preliminary' || review.step === 'wait_preliminary')) {
    stagePanel = <PreliminaryPanel api={api} session={session} review={review} setReview={reviewState.setReview} currentBidder={currentBidder} />;
  } else if (review && (review.step === 'results' || review.step === 'final')) {
    stagePanel = <ResultsView review={review} />;
  } else {
    stagePanel = <ScoreSheetPanel api={api} session={session} currentBidder={currentBidder} review={review} reloadKey={review ? `${review.committee?.revision ?? 1}:${review.step}` : ''} />;
  }
  const wide = !reportOn && (review?.step === 'results' || review?.step === 'final');

  return (
    <div data-testid="booth-workspace" data-phase={session.phase} style={{ ...screenStyle, background: token.colorBgLayout }}>
      <header style={{ ...headerStyle, background: token.colorBgContainer, borderColor: token.colorBorderSecondary }}>
        <div data-testid="booth-codename" style={{ fontSize: 36, fontWeight: 800, color: token.colorPrimary, letterSpacing: '0.04em' }}>
          {session.codename ?? '—'}
        </div>
        <div style={{ flex: 1, minWidth: 0 }}>
          <ProjectLines project={session.project} fontSize={22} />
          <div style={{ fontSize: 18, color: token.colorTextSecondary }}>
            {session.roomName} · {session.boothLabel} · {t('booth.ws.noCopy')}
          </div>
        </div>
        <CameraPreview camera={camera} small style={{ height: 64 }} />
        <Button data-testid="booth-logout" size="large" onClick={() => setConfirmLogout(true)} style={{ height: 56, fontSize: 22 }}>
          {t('booth.ws.logout')}
        </Button>
        <LanguageToggle />
      </header>

      {review ? <ReviewBar review={review} report={report} /> : null}

      <div style={bodyStyle}>
        <section style={{ ...leftStyle, background: token.colorBgContainer, borderColor: token.colorBorderSecondary }}>
          <nav data-testid="file-list" aria-label={t('booth.ws.files')} style={{ ...fileListStyle, borderColor: token.colorBorderSecondary }}>
            <span style={{ fontSize: 22, fontWeight: 700, flex: 'none' }}>{t('booth.ws.files')}</span>
            {report && reportOn ? (
              <Button
                data-testid="report-file-item"
                data-active={reportOpen ? 'true' : 'false'}
                type={reportOpen ? 'primary' : 'default'}
                size="large"
                onClick={() => setOpenId(REPORT_FILE_ID)}
                style={{ height: 'auto', minHeight: 60, padding: '6px 18px', flex: 'none', display: 'flex', flexDirection: 'column', alignItems: 'flex-start', lineHeight: 1.25 }}
              >
                <span style={{ fontSize: 22, fontWeight: 700 }}>{report.shown?.kind === 'head' ? t('report.file.head') : t('report.file.draft')}</span>
                <span style={{ fontSize: 17, opacity: 0.85 }}>{report.shown ? t('report.file.pages', { n: report.shown.pages }) : t('report.step.fetching')}</span>
              </Button>
            ) : null}
            {files === null ? (
              filesError ? (
                <>
                  <span data-testid="booth-error" data-code={filesError.code} style={{ fontSize: 20, color: token.colorErrorText }}>
                    {errorMessage(filesError.code, lang)}
                  </span>
                  <Button onClick={() => setAttempt((n) => n + 1)}>{t('app.retry')}</Button>
                </>
              ) : (
                <span style={{ fontSize: 20 }}>
                  <Spin /> {t('booth.ws.loadingFiles')}
                </span>
              )
            ) : files.length === 0 ? (
              <span style={{ fontSize: 20 }}>{t('booth.ws.noFiles')}</span>
            ) : (
              files.map((file) => {
                const active = !reportOpen && file.fileId === open?.fileId;
                return (
                  <Button
                    key={file.fileId}
                    data-testid="file-item"
                    data-file-id={file.fileId}
                    data-bidder={file.bidderCode}
                    data-active={active ? 'true' : 'false'}
                    type={active ? 'primary' : 'default'}
                    size="large"
                    onClick={() => setOpenId(file.fileId)}
                    style={{ height: 'auto', minHeight: 60, padding: '6px 18px', flex: 'none', display: 'flex', flexDirection: 'column', alignItems: 'flex-start', lineHeight: 1.25 }}
                  >
                    <span style={{ fontSize: 22, fontWeight: 700 }}>{file.title}</span>
                    <span style={{ fontSize: 17, opacity: 0.85 }}>{t('booth.ws.pages', { n: file.pageCount })}</span>
                  </Button>
                );
              })
            )}
          </nav>
          <div style={{ flex: 1, minHeight: 0 }}>
            {reportOpen && report ? (
              <ReportViewer api={api} report={report} />
            ) : open ? (
              <TenderViewer key={open.fileId} api={api} file={open} />
            ) : (
              <div style={{ padding: 48, fontSize: 26, textAlign: 'center', color: token.colorTextSecondary }}>{t('booth.viewer.pick')}</div>
            )}
          </div>
        </section>
        <section style={{ ...rightStyle, flex: wide ? '1.35 1 0' : rightStyle.flex, background: token.colorBgContainer, borderColor: token.colorBorderSecondary }}>
          {review && reviewState ? <CommitteeCard api={api} review={review} setReview={reviewState.setReview} codename={session.codename} /> : null}
          <div style={{ flex: 1, minHeight: 0 }}>{stagePanel}</div>
        </section>
      </div>

      {confirmLogout ? (
        <BigDialog
          testId="booth-logout-confirm"
          title={t('booth.ws.logout')}
          actions={
            <>
              <Button size="large" onClick={() => setConfirmLogout(false)} style={bigButtonStyle}>
                {t('booth.pin.cancel')}
              </Button>
              <Button
                data-testid="booth-logout-ok"
                type="primary"
                danger
                size="large"
                onClick={() => {
                  setConfirmLogout(false);
                  void onLogout();
                }}
                style={bigButtonStyle}
              >
                {t('booth.ws.logout.ok')}
              </Button>
            </>
          }
        >
          {t('booth.ws.logout.confirm')}
        </BigDialog>
      ) : null}
    </div>
  );
}

const screenStyle: CSSProperties = { position: 'fixed', inset: 0, display: 'flex', flexDirection: 'column' };
const headerStyle: CSSProperties = { display: 'flex', alignItems: 'center', gap: 20, padding: '6px 16px', borderBottom: '1px solid', flex: 'none' };
const bodyStyle: CSSProperties = { flex: 1, minHeight: 0, display: 'flex', gap: 8, padding: 8 };
const leftStyle: CSSProperties = { flex: '1.35 1 0', minWidth: 0, display: 'flex', flexDirection: 'column', border: '1px solid', borderRadius: 12, overflow: 'hidden' };
const rightStyle: CSSProperties = { flex: '1 1 0', minWidth: 420, border: '1px solid', borderRadius: 12, overflow: 'hidden', display: 'flex', flexDirection: 'column' };
const fileListStyle: CSSProperties = { display: 'flex', alignItems: 'center', gap: 10, padding: '8px 10px', borderBottom: '1px solid', overflowX: 'auto', flex: 'none' };
