import { useState, type CSSProperties } from 'react';
import { Alert, Button, Input, Progress, Tag, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { DISSENT_TEXT_MAX } from '@kawei/shared/report/report-view.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { BigDialog, bigButtonStyle } from '../BigDialog.dom.tsx';
import { signingErrorText } from '../booth-view.ts';
import { PinDialog } from '../PinDialog.dom.tsx';
import { PinHash } from './PinHash.dom.tsx';
import { sendDissent, sendNoDissent, sendRefusal, sendSignature, shownSha256 } from './report-actions.ts';
import { dissentCheck, dissentExcerpt, downloadPercent, memberRows, reportActions, reportInstruction, reportStatus, type MemberRow } from './report-view.ts';

type Api = ApiConnection<BoothContract>['api'];

/** Longest refusal reason (the contract's refuseToSignInputSchema). */
const REFUSAL_MAX = 1000;

type Dialog = { kind: 'no_dissent'; sha256: string } | { kind: 'dissent'; sha256: string; text: string } | { kind: 'sign'; sha256: string } | { kind: 'refuse'; sha256: string };

/**
 * The report's side of the workspace (the PDF itself is in the left pane, ReportViewer): what to do
 * now in one sentence, the download's progress, then the step's actions — 无保留意见 or a dissent
 * signed on the PIN pad (step `dissent`); 签名 on the PIN pad that shows the hash of exactly what is
 * signed, or 拒绝签名 with a reason (step `sign`) — and the committee: every member as 评委n and code
 * name with their dissent and signature. Each action binds the hash on screen when it was pressed.
 */
export function ReportPanel({ api, session, report: view, setReport }: { api: Api; session: BoothSession; report: ReportView; setReport: (view: ReportView) => void }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [text, setText] = useState('');
  const [dialog, setDialog] = useState<Dialog | null>(null);

  const actions = reportActions(view);
  const status = reportStatus(view.step);
  const percent = downloadPercent(view.download);
  const check = dissentCheck(text, DISSENT_TEXT_MAX);
  const sha256 = shownSha256(view);
  const close = () => setDialog(null);
  const done = (next: ReportView) => {
    setReport(next);
    setDialog(null);
  };

  const tone = status === 'finish' ? { bg: token.colorSuccessBg, fg: token.colorSuccessText, border: token.colorSuccessBorder } : status === 'process' ? { bg: token.colorPrimaryBg, fg: token.colorText, border: token.colorPrimaryBorder } : { bg: token.colorWarningBg, fg: token.colorWarningText, border: token.colorWarningBorder };

  return (
    <div data-testid="report-panel" data-step={view.step} data-stage={view.stage ?? ''} style={panelStyle}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
        <span style={{ fontSize: 30, fontWeight: 800 }}>{t('report.title')}</span>
        {view.shown ? (
          <Tag data-testid="report-kind" data-kind={view.shown.kind} color={view.shown.kind === 'head' ? 'green' : 'blue'} style={{ fontSize: 20, padding: '4px 10px' }}>
            {view.shown.kind === 'head' ? t('report.kind.head') : t('report.kind.draft')}
          </Tag>
        ) : null}
      </div>

      <div data-testid="report-instruction" data-step={view.step} role="status" aria-live="polite" style={{ ...instructionStyle, background: tone.bg, color: tone.fg, borderColor: tone.border }}>
        {reportInstruction(view, t)}
      </div>

      {percent !== null ? (
        <div data-testid="report-progress" data-percent={percent} style={{ fontSize: 22 }}>
          {t('report.download.progress', { percent })}
          <Progress percent={percent} showInfo={false} size={{ height: 14 }} />
        </div>
      ) : null}
      {view.problem ? (
        <Alert data-testid="report-problem" data-code={view.problem.code} type="error" showIcon title={<span style={{ fontSize: 22 }}>{lang === 'en' ? view.problem.en : view.problem.zh}</span>} />
      ) : null}
      {view.offline ? (
        <div data-testid="report-offline" role="status" style={{ ...noteStyle, background: token.colorWarningBg, borderColor: token.colorWarningBorder, color: token.colorWarningText }}>
          {t('report.offline')}
        </div>
      ) : null}

      {view.step === 'dissent' ? (
        <div data-testid="report-dissent-form" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          <Button
            data-testid="report-no-dissent"
            type="primary"
            size="large"
            disabled={!actions.dissent || !sha256 || !check.empty}
            onClick={() => sha256 && setDialog({ kind: 'no_dissent', sha256 })}
            style={{ ...bigButtonStyle, width: '100%' }}
          >
            {t('report.noDissent')}
          </Button>
          <label htmlFor="report-dissent-text" style={{ fontSize: 22, fontWeight: 700 }}>
            {t('report.dissent.label')}
          </label>
          <Input.TextArea
            id="report-dissent-text"
            data-testid="report-dissent-text"
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder={t('report.dissent.placeholder')}
            autoSize={{ minRows: 4, maxRows: 10 }}
            disabled={!actions.dissent}
            style={{ fontSize: 22, lineHeight: 1.5 }}
          />
          <div data-testid="report-dissent-count" data-length={check.length} data-too-long={check.tooLong ? 'true' : 'false'} style={{ fontSize: 20, textAlign: 'right', color: check.tooLong ? token.colorErrorText : token.colorTextSecondary }}>
            {check.tooLong ? t('report.dissent.tooLong', { max: DISSENT_TEXT_MAX }) : t('report.dissent.count', { n: check.length, max: DISSENT_TEXT_MAX })}
          </div>
          <Button
            data-testid="report-dissent-submit"
            size="large"
            disabled={!actions.dissent || !sha256 || check.empty || check.tooLong}
            onClick={() => sha256 && setDialog({ kind: 'dissent', sha256, text })}
            style={{ ...bigButtonStyle, width: '100%' }}
          >
            {t('report.dissent.submit')}
          </Button>
        </div>
      ) : null}

      {view.step === 'sign' ? (
        <div data-testid="report-sign-actions" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
          {actions.signWaiting ? <div data-testid="report-sign-waiting" style={{ fontSize: 22, color: token.colorWarningText }}>{t('report.sign.notReady')}</div> : null}
          <Button data-testid="report-sign" type="primary" size="large" disabled={!actions.sign || !sha256} onClick={() => sha256 && setDialog({ kind: 'sign', sha256 })} style={{ ...bigButtonStyle, width: '100%' }}>
            {t('report.sign')}
          </Button>
          <Button data-testid="report-refuse" danger size="large" disabled={!actions.refuse || !sha256} onClick={() => sha256 && setDialog({ kind: 'refuse', sha256 })} style={{ ...bigButtonStyle, width: '100%' }}>
            {t('report.refuse')}
          </Button>
        </div>
      ) : null}

      {view.myDissent && view.step !== 'dissent' ? (
        <div data-testid="report-my-dissent" data-none={view.myDissent.none ? 'true' : 'false'} style={{ ...noteStyle, borderColor: token.colorBorder }}>
          {view.myDissent.none ? (
            t('report.dissent.mineNone')
          ) : (
            <>
              <div style={{ fontWeight: 700 }}>{t('report.dissent.mine')}</div>
              <div style={{ whiteSpace: 'pre-wrap' }}>{dissentExcerpt(view.myDissent.text)}</div>
            </>
          )}
        </div>
      ) : null}

      <Members rows={memberRows(view)} />

      {dialog?.kind === 'no_dissent' ? <NoDissentDialog onCancel={close} onConfirm={async () => done(await sendNoDissent(api, dialog.sha256))} /> : null}
      {dialog?.kind === 'dissent' ? (
        <PinDialog
          title={t('report.dissent.pinTitle')}
          token={session.token}
          about={<PinHash sha256={dialog.sha256} detail={dissentExcerpt(dialog.text)} />}
          onCancel={close}
          onSign={async (pin) => {
            done(await sendDissent(api, dialog.sha256, dialog.text, pin));
            setText('');
          }}
        />
      ) : null}
      {dialog?.kind === 'sign' ? (
        <PinDialog title={t('report.sign.pinTitle')} token={session.token} about={<PinHash sha256={dialog.sha256} />} onCancel={close} onSign={async (pin) => done(await sendSignature(api, dialog.sha256, pin))} />
      ) : null}
      {dialog?.kind === 'refuse' ? <RefuseDialog onCancel={close} onConfirm={async (reason) => done(await sendRefusal(api, dialog.sha256, reason))} /> : null}
    </div>
  );
}

function Members({ rows }: { rows: MemberRow[] }) {
  const { t } = useT();
  const { token } = theme.useToken();
  if (rows.length === 0) return null;
  const head: CSSProperties = { ...cellStyle, borderColor: token.colorBorder, fontSize: 20, textAlign: 'left', color: token.colorTextSecondary };
  return (
    <div>
      <div style={{ fontSize: 24, fontWeight: 800, margin: '4px 0' }}>{t('report.members.title')}</div>
      <table data-testid="report-members" style={{ borderCollapse: 'collapse', width: '100%', fontSize: 22 }}>
        <thead>
          <tr>
            <th style={head}>{t('report.members.member')}</th>
            <th style={head}>{t('report.members.dissent')}</th>
            <th style={head}>{t('report.members.signature')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.codename}
              data-testid={`report-member-${row.codename}`}
              data-me={row.me ? 'true' : 'false'}
              data-dissent={row.dissent}
              data-signature={row.signature}
              style={{ background: row.signature === 'turn' ? token.colorPrimaryBg : row.me ? token.colorFillQuaternary : undefined }}
            >
              <td style={{ ...cellStyle, borderColor: token.colorBorderSecondary, fontWeight: 700 }}>
                {row.judge} {row.codename}
                {row.me ? t('report.members.me') : ''}
                {row.chair ? (
                  <Tag color="gold" style={{ fontSize: 18, marginLeft: 8 }}>
                    {t('report.members.chair')}
                  </Tag>
                ) : null}
              </td>
              <td style={{ ...cellStyle, borderColor: token.colorBorderSecondary, color: row.dissent === 'dissent' ? token.colorWarningText : row.dissent === 'none' ? token.colorSuccessText : token.colorTextSecondary }}>
                {t(`report.dissent.${row.dissent}`)}
              </td>
              <td
                style={{
                  ...cellStyle,
                  borderColor: token.colorBorderSecondary,
                  fontWeight: row.signature === 'turn' ? 800 : 400,
                  color: row.signature === 'signed' ? token.colorSuccessText : row.signature === 'refused' ? token.colorErrorText : row.signature === 'turn' ? token.colorPrimary : token.colorTextSecondary,
                }}
              >
                {row.signature === 'signed' ? '✓ ' : ''}
                {t(`report.signature.${row.signature}`)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** 无保留意见 asks once more: it cannot be taken back. */
function NoDissentDialog({ onCancel, onConfirm }: { onCancel: () => void; onConfirm: () => Promise<void> }) {
  const { t } = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <BigDialog
      testId="report-no-dissent-confirm"
      title={t('report.noDissent.title')}
      actions={
        <>
          <Button data-testid="report-no-dissent-cancel" size="large" disabled={busy} onClick={onCancel} style={bigButtonStyle}>
            {t('report.cancel')}
          </Button>
          <Button data-testid="report-no-dissent-ok" type="primary" size="large" loading={busy} onClick={() => void run(onConfirm, setBusy, setError)} style={bigButtonStyle}>
            {t('report.noDissent.ok')}
          </Button>
        </>
      }
    >
      {t('report.noDissent.body')}
      <ErrorLine error={error} />
    </BigDialog>
  );
}

/** 拒绝签名 needs its reason: the button waits for one. */
function RefuseDialog({ onCancel, onConfirm }: { onCancel: () => void; onConfirm: (reason: string) => Promise<void> }) {
  const { t } = useT();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const empty = reason.trim().length === 0;
  return (
    <BigDialog
      testId="report-refuse-dialog"
      title={t('report.refuse.title')}
      actions={
        <>
          <Button data-testid="report-refuse-cancel" size="large" disabled={busy} onClick={onCancel} style={bigButtonStyle}>
            {t('report.cancel')}
          </Button>
          <Button data-testid="report-refuse-ok" type="primary" danger size="large" disabled={empty} loading={busy} onClick={() => void run(() => onConfirm(reason), setBusy, setError)} style={bigButtonStyle}>
            {t('report.refuse.ok')}
          </Button>
        </>
      }
    >
      <div style={{ display: 'flex', flexDirection: 'column', gap: 12, minWidth: 'min(640px, 80vw)' }}>
        {t('report.refuse.body')}
        <Input.TextArea
          data-testid="report-refuse-reason"
          value={reason}
          maxLength={REFUSAL_MAX}
          onChange={(event) => {
            setReason(event.target.value);
            setError(null);
          }}
          placeholder={t('report.refuse.placeholder')}
          autoSize={{ minRows: 3, maxRows: 8 }}
          style={{ fontSize: 22, textAlign: 'left' }}
        />
        <ErrorLine error={error} />
      </div>
    </BigDialog>
  );
}

async function run(action: () => Promise<void>, setBusy: (busy: boolean) => void, setError: (error: ApiError | null) => void): Promise<void> {
  setBusy(true);
  setError(null);
  try {
    await action();
  } catch (thrown) {
    setError(toApiError(thrown));
    setBusy(false);
  }
}

function ErrorLine({ error }: { error: ApiError | null }) {
  const { lang } = useT();
  if (!error) return null;
  return <Alert data-testid="booth-error" data-code={error.code} type="error" showIcon title={<span style={{ fontSize: 22 }}>{signingErrorText(error, lang)}</span>} style={{ textAlign: 'left' }} />;
}

const panelStyle: CSSProperties = { height: '100%', overflow: 'auto', display: 'flex', flexDirection: 'column', gap: 14, padding: '10px 14px 20px' };
const instructionStyle: CSSProperties = { fontSize: 26, fontWeight: 700, lineHeight: 1.45, padding: '12px 16px', border: '2px solid', borderRadius: 12 };
const noteStyle: CSSProperties = { fontSize: 20, lineHeight: 1.5, padding: '8px 14px', border: '1px solid', borderRadius: 10 };
const cellStyle: CSSProperties = { padding: '8px 10px', borderBottom: '1px solid', textAlign: 'left' };
