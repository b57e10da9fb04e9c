import { useState, type CSSProperties } from 'react';
import { Button, Input, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import { RECHECK_REASONS, type RecheckReason } from '@kawei/shared/committee/committee-events.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { BigDialog, bigButtonStyle } from './BigDialog.dom.tsx';
import { chairActions, chairVoteState, flagLines, itemNames, joinNames, type FlagLine } from './review-view.ts';

type Api = ApiConnection<BoothContract>['api'];

export interface RecheckDraft {
  codename: string | null;
  reason: RecheckReason | null;
  cells: { bid: string; item: string }[];
  note: string;
}

type Dialog = null | { kind: 'vote'; candidate: string } | { kind: 'start' } | { kind: 'confirm' } | { kind: 'recheck'; draft: RecheckDraft };

/**
 * The committee as this booth sees it: the chair (a vote by code names, or named by the centre),
 * the chair's own steps (start the detailed review, send a sheet back, confirm the results), the
 * committee's flags for everyone, and the bids the committee rejected. Nothing when the central has
 * not been heard from yet.
 */
export function CommitteeCard({ api, review, setReview, codename }: { api: Api; review: ReviewView; setReview: (r: ReviewView) => void; codename: string | null }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  /** Flags and rejections fold away so the sheet keeps the room; the chair sees them open when a step can use them. */
  const [showDetails, setShowDetails] = useState<boolean | null>(null);
  const committee = review.committee;
  if (!committee) return null;

  const voteState = chairVoteState(review);
  const actions = chairActions(review);
  const flags = flagLines(review, t);
  const names = itemNames(review.rules);
  const members = committee.members;
  const you = (name: string) => (name === codename ? t('review.committee.you') : '');
  const detailCount = flags.length + committee.rejected.length;
  const detailsOpen = showDetails ?? (review.isChair && actions.recheck && flags.length > 0);

  const run = async (call: () => Promise<ReviewView>) => {
    setBusy(true);
    setError(null);
    try {
      setReview(await call());
      setDialog(null);
    } catch (thrown) {
      setError(toApiError(thrown));
    } finally {
      setBusy(false);
    }
  };

  const openRecheck = (line?: FlagLine) =>
    setDialog({ kind: 'recheck', draft: { codename: line?.recheck?.codename ?? null, reason: line?.recheck?.reason ?? null, cells: line?.recheck?.cells ?? [], note: '' } });

  return (
    <div
      data-testid="committee-card"
      data-stage={committee.stage}
      // The vote needs every button in sight; otherwise the card leaves most of the room to the sheet.
      style={{ ...cardStyle, maxHeight: voteState === 'open' ? '70%' : cardStyle.maxHeight, borderColor: token.colorBorderSecondary }}
    >
      <div style={{ display: 'flex', gap: 16, alignItems: 'baseline', flexWrap: 'wrap' }}>
        <span style={{ fontSize: 24, fontWeight: 800 }}>{t('review.committee.title')}</span>
        <span data-testid="committee-members" style={{ fontSize: 20, color: token.colorTextSecondary }}>
          {t('review.committee.members', { names: joinNames(members.map((m) => `${m.done ? '✓' : ''}${m.codename}${you(m.codename)}`), t) })}
        </span>
        {committee.chair ? (
          <span data-testid="chair-named" data-chair={committee.chair} style={{ fontSize: 22, fontWeight: 700, color: token.colorPrimaryText }}>
            {committee.chair === codename ? t('review.chair.namedYou', { chair: committee.chair }) : t('review.chair.named', { chair: committee.chair })}
          </span>
        ) : null}
        {voteState === 'voted' && review.chairVote ? (
          <span data-testid="chair-vote" data-state="voted" data-mine={review.chairVote} style={{ fontSize: 20, fontWeight: 600 }}>
            {t('review.chair.vote.yours', { candidate: review.chairVote, votes: committee.chairVotes, total: members.length })}
          </span>
        ) : null}
        {detailCount > 0 ? (
          <Button
            data-testid="committee-details"
            data-open={detailsOpen ? 'true' : 'false'}
            aria-expanded={detailsOpen}
            onClick={() => setShowDetails(!detailsOpen)}
            style={{ height: 44, fontSize: 20, fontWeight: 600, marginLeft: 'auto', borderColor: flags.length > 0 ? token.colorWarning : undefined }}
          >
            {flags.length > 0 ? `⚠ ${t('review.flags.title')}` : t('review.rejected.title')} ({detailCount}) {detailsOpen ? '▲' : '▼'}
          </Button>
        ) : null}
      </div>

      {voteState === 'centre' ? (
        <div data-testid="chair-centre" style={{ fontSize: 22 }}>
          {t('review.chair.centre')}
        </div>
      ) : null}

      {voteState === 'open' ? (
        <div data-testid="chair-vote" data-state="open" style={{ ...innerStyle, background: token.colorPrimaryBg }}>
          <div style={{ fontSize: 24, fontWeight: 800 }}>
            {t('review.chair.vote.title')}
            <span style={{ fontSize: 20, fontWeight: 400, marginLeft: 12 }}>{t('review.chair.vote.hint')}</span>
          </div>
          <div style={{ display: 'flex', gap: 10, flexWrap: 'wrap' }}>
            {members.map((m) => (
              <Button
                key={m.codename}
                data-testid={`chair-vote-${m.codename}`}
                onClick={() => setDialog({ kind: 'vote', candidate: m.codename })}
                style={{ height: 60, minWidth: 120, fontSize: 26, fontWeight: 800, padding: '0 14px' }}
              >
                {m.codename}
                {you(m.codename)}
              </Button>
            ))}
          </div>
        </div>
      ) : null}

      {/* The chair's buttons only while one of them can be used (or to say why none can): the sheet keeps the room. */}
      {review.isChair && (actions.startDetailed || actions.recheck || actions.confirm || review.offline) ? (
        <div data-testid="chair-tools" style={{ ...innerStyle, background: token.colorFillQuaternary }}>
          <div style={{ fontSize: 22, fontWeight: 800 }}>{t('review.chair.tools')}</div>
          {review.offline ? <div style={{ fontSize: 20, color: token.colorWarningText }}>{t('review.chair.offline')}</div> : null}
          <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap' }}>
            <Button data-testid="chair-start-detailed" type={actions.startDetailed ? 'primary' : 'default'} disabled={!actions.startDetailed} onClick={() => setDialog({ kind: 'start' })} style={toolStyle}>
              {t('review.chair.startDetailed')}
            </Button>
            <Button data-testid="chair-recheck" disabled={!actions.recheck} onClick={() => openRecheck()} style={toolStyle}>
              {t('review.chair.recheck')}
            </Button>
            <Button data-testid="chair-confirm" type={actions.confirm ? 'primary' : 'default'} disabled={!actions.confirm} onClick={() => setDialog({ kind: 'confirm' })} style={toolStyle}>
              {t('review.chair.confirm')}
            </Button>
          </div>
        </div>
      ) : null}

      {detailsOpen && flags.length > 0 ? (
        <div data-testid="committee-flags" style={{ ...innerStyle, background: token.colorWarningBg }}>
          <div style={{ fontSize: 22, fontWeight: 800 }}>{t('review.flags.title')}</div>
          <ul style={{ margin: 0, paddingLeft: 24, fontSize: 20 }}>
            {flags.map((line, i) => (
              <li key={i} data-testid="committee-flag" data-kind={line.flag.kind} data-bid={line.flag.bid ?? ''} data-item={line.flag.item ?? ''} data-judge={line.flag.judge ?? ''}>
                <b>{line.title}</b>
                {line.where ? `：${line.where}` : ''}
                {line.flag.detail ? <span style={{ color: token.colorTextSecondary }}> （{line.flag.detail}）</span> : null}
                {review.isChair && actions.recheck && line.recheck ? (
                  <Button data-testid={`flag-recheck-${i}`} size="small" onClick={() => openRecheck(line)} style={{ marginLeft: 12, height: 40, fontSize: 18 }}>
                    {t('review.flag.recheck')}
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {detailsOpen && committee.rejected.length > 0 ? (
        <div data-testid="committee-rejected" style={{ fontSize: 20 }}>
          <b>{t('review.rejected.title')}</b>
          <ul style={{ margin: 0, paddingLeft: 24 }}>
            {committee.rejected.map((r) => (
              <li key={r.bid} data-testid={`rejected-${r.bid}`}>
                {t('review.rejected.item', { bid: r.bid, reasons: r.reasons.length > 0 ? joinNames(r.reasons, t) : t('review.rejected.noReason') })}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {error && dialog === null ? (
        <div data-testid="booth-error" data-code={error.code} style={{ fontSize: 20, color: token.colorErrorText }}>
          {t('review.chair.error', { error: errorMessage(error.code, lang) })}
        </div>
      ) : null}

      {dialog ? (
        <ChairDialog
          dialog={dialog}
          review={review}
          itemName={(id) => names.get(id) ?? id}
          busy={busy}
          error={error}
          onDraft={(draft) => setDialog({ kind: 'recheck', draft })}
          onCancel={() => {
            setDialog(null);
            setError(null);
          }}
          onOk={() => {
            if (dialog.kind === 'vote') void run(() => api.castChairVote({ candidate: dialog.candidate }));
            else if (dialog.kind === 'start') void run(() => api.chairStep({ step: 'start_detailed' }));
            else if (dialog.kind === 'confirm' && committee.results) {
              const resultsSha256 = committee.results.resultsSha256;
              void run(() => api.chairStep({ step: 'confirm_results', resultsSha256 }));
            } else if (dialog.kind === 'recheck' && dialog.draft.codename && dialog.draft.reason) {
              const { codename: who, reason, cells, note } = dialog.draft;
              void run(() => api.chairStep({ step: 'request_recheck', recheck: { codename: who, reason, cells, note: note.trim() } }));
            }
          }}
        />
      ) : null}
    </div>
  );
}

function ChairDialog({
  dialog,
  review,
  itemName,
  busy,
  error,
  onDraft,
  onCancel,
  onOk,
}: {
  dialog: NonNullable<Dialog>;
  review: ReviewView;
  itemName: (id: string) => string;
  busy: boolean;
  error: ApiError | null;
  onDraft: (draft: RecheckDraft) => void;
  onCancel: () => void;
  onOk: () => void;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const members = review.committee?.members ?? [];
  const ready = dialog.kind !== 'recheck' || (dialog.draft.codename !== null && dialog.draft.reason !== null);
  const title =
    dialog.kind === 'vote'
      ? t('review.chair.vote.title')
      : dialog.kind === 'start'
        ? t('review.chair.startDetailed')
        : dialog.kind === 'confirm'
          ? t('review.chair.confirm')
          : t('review.chair.recheck.title');
  const okText =
    dialog.kind === 'vote'
      ? t('review.chair.vote.ok')
      : dialog.kind === 'start'
        ? t('review.chair.startDetailed')
        : dialog.kind === 'confirm'
          ? t('review.chair.confirm')
          : t('review.chair.recheck.ok');
  const pick: CSSProperties = { height: 60, minWidth: 130, fontSize: 24, fontWeight: 700 };

  return (
    <BigDialog
      testId={`chair-dialog-${dialog.kind}`}
      title={title}
      actions={
        <>
          <Button data-testid="chair-dialog-cancel" disabled={busy} onClick={onCancel} style={bigButtonStyle}>
            {t('review.chair.cancel')}
          </Button>
          <Button data-testid="chair-dialog-ok" type="primary" loading={busy} disabled={!ready} onClick={onOk} style={bigButtonStyle}>
            {okText}
          </Button>
        </>
      }
    >
      {dialog.kind === 'vote' ? <p style={{ margin: 0 }}>{t('review.chair.vote.confirm', { candidate: dialog.candidate })}</p> : null}
      {dialog.kind === 'start' ? <p style={{ margin: 0 }}>{t('review.chair.startDetailed.confirm')}</p> : null}
      {dialog.kind === 'confirm' ? (
        <>
          <p style={{ margin: 0 }}>{t('review.chair.confirm.body')}</p>
          {review.committee?.results ? (
            <p data-testid="chair-confirm-digest" style={{ margin: 0, fontSize: 18, color: token.colorTextSecondary }}>
              {t('review.chair.confirm.digest', { digest: review.committee.results.resultsSha256.slice(0, 16) })}
            </p>
          ) : null}
        </>
      ) : null}
      {dialog.kind === 'recheck' ? (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 12, textAlign: 'left' }}>
          <div style={{ fontWeight: 700 }}>{t('review.chair.recheck.member')}</div>
          <div style={{ display: 'flex', gap: 10, flexWrap: 'wrap' }}>
            {members.map((m) => (
              <Button
                key={m.codename}
                data-testid={`recheck-member-${m.codename}`}
                type={dialog.draft.codename === m.codename ? 'primary' : 'default'}
                onClick={() => onDraft({ ...dialog.draft, codename: m.codename })}
                style={pick}
              >
                {m.codename}
              </Button>
            ))}
          </div>
          <div style={{ fontWeight: 700 }}>{t('review.chair.recheck.reason')}</div>
          <div style={{ display: 'flex', gap: 10, flexWrap: 'wrap' }}>
            {RECHECK_REASONS.map((reason) => (
              <Button
                key={reason}
                data-testid={`recheck-reason-${reason}`}
                type={dialog.draft.reason === reason ? 'primary' : 'default'}
                onClick={() => onDraft({ ...dialog.draft, reason })}
                style={pick}
              >
                {t(`review.recheck.reason.${reason}`)}
              </Button>
            ))}
          </div>
          <div data-testid="recheck-cells" style={{ fontSize: 20 }}>
            {dialog.draft.cells.length > 0
              ? t('review.chair.recheck.cells', { cells: dialog.draft.cells.map((c) => `${c.bid} · ${itemName(c.item)}`).join(t('review.sep')) })
              : t('review.chair.recheck.wholeSheet')}
          </div>
          <div style={{ fontWeight: 700 }}>{t('review.chair.recheck.note')}</div>
          <Input.TextArea
            data-testid="recheck-note"
            value={dialog.draft.note}
            maxLength={500}
            autoSize={{ minRows: 2, maxRows: 4 }}
            onChange={(event) => onDraft({ ...dialog.draft, note: event.target.value })}
            style={{ fontSize: 22 }}
          />
        </div>
      ) : null}
      {error ? (
        <div data-testid="booth-error" data-code={error.code} style={{ color: token.colorErrorText, fontSize: 22 }}>
          {t('review.chair.error', { error: errorMessage(error.code, lang) })}
        </div>
      ) : null}
    </BigDialog>
  );
}

const cardStyle: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 8, padding: '8px 12px', borderBottom: '1px solid', flex: 'none', maxHeight: '42%', overflow: 'auto' };
const innerStyle: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 8, padding: '8px 12px', borderRadius: 10 };
const toolStyle: CSSProperties = { height: 64, minWidth: 200, fontSize: 24, fontWeight: 700 };
