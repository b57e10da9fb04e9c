import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { Button, Input, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { PreliminaryItem } from '@kawei/shared/committee/evaluation-rules.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { BigDialog, bigButtonStyle } from './BigDialog.dom.tsx';
import { formatClock } from './booth-view.ts';
import { PinDialog } from './PinDialog.dom.tsx';
import { bidProgress, prelimKey, preliminaryProblems, verdictOf, type Verdict } from './review-view.ts';
import { usePreliminary, type VerdictEdit } from './usePreliminary.dom.ts';

type Api = ApiConnection<BoothContract>['api'];
type Step = null | 'problems' | 'confirm' | 'pin';

/**
 * 初步评审: one bidder at a time (big buttons by code, the bidder of the file being read chosen), each
 * item with its description and two big buttons, 通过 / 不通过; a fail opens the reason box, which is
 * required. Every change is saved at once. 提交初步评审 lists what is missing (a tap on a line goes
 * to it), asks for confirmation, then the USB-key PIN.
 */
export function PreliminaryPanel({
  api,
  session,
  review,
  setReview,
  currentBidder,
}: {
  api: Api;
  session: BoothSession;
  review: ReviewView;
  setReview: (review: ReviewView) => void;
  currentBidder: string | null;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const edits = usePreliminary(api, setReview);
  const bids = review.bids.map((b) => b.code);
  const items = review.rules.preliminary;
  const [selected, setSelected] = useState<string | null>(null);
  const [step, setStep] = useState<Step>(null);
  const [triedSubmit, setTriedSubmit] = useState(false);
  const [followed, setFollowed] = useState(currentBidder);
  const [focusTick, setFocusTick] = useState(0);
  const focusCell = useRef<{ bid: string; item: string } | null>(null);
  const listRef = useRef<HTMLDivElement | null>(null);

  // Follow the file being read (adjusted while rendering, not in an effect).
  if (currentBidder !== followed) {
    setFollowed(currentBidder);
    if (currentBidder && bids.includes(currentBidder)) setSelected(currentBidder);
  }

  // Go to a cell the problem list named: its bidder is selected first, then the cell is focused.
  useEffect(() => {
    const cell = focusCell.current;
    if (!cell) return;
    const rows = listRef.current?.querySelectorAll<HTMLElement>('[data-prelim-bid]') ?? [];
    const row = [...rows].find((el) => el.dataset.prelimBid === cell.bid && el.dataset.prelimItem === cell.item);
    if (!row) return;
    focusCell.current = null;
    row.scrollIntoView({ block: 'center', behavior: 'smooth' });
    (row.querySelector<HTMLElement>('textarea') ?? row.querySelector<HTMLElement>('button'))?.focus();
  }, [focusTick, selected]);

  const sheet = review.preliminary;
  const frozen = sheet?.status === 'submitted' || review.step !== 'preliminary';
  const bid = selected && bids.includes(selected) ? selected : (bids[0] ?? null);

  // What the screen shows: the expert's unsaved change over the stored verdict.
  const shown = (b: string, item: string): Verdict => {
    const stored = verdictOf(sheet, b, item);
    const edit = edits.pending.get(prelimKey(b, item));
    return edit ? { pass: edit.pass, reason: edit.reason ?? stored.reason } : stored;
  };
  const shownSheet = sheet ? { ...sheet, verdicts: Object.fromEntries(bids.map((b) => [b, Object.fromEntries(items.map((i) => [i.id, shown(b, i.id)]))])) } : null;
  const problems = preliminaryProblems(shownSheet, bids, items);
  const problemAt = new Map(problems.map((p) => [prelimKey(p.bid, p.item), p.problem]));
  const itemName = (id: string) => items.find((i) => i.id === id)?.name ?? id;

  const goTo = (cell: { bid: string; item: string }) => {
    setStep(null);
    setSelected(cell.bid);
    focusCell.current = cell;
    setFocusTick((n) => n + 1);
  };

  const onSubmitClick = () => {
    setTriedSubmit(true);
    setStep(problems.length > 0 || edits.pending.size > 0 || edits.saving ? 'problems' : 'confirm');
  };

  const submit = async (pin: string) => {
    await api.submitPreliminary({ pin });
    setStep(null);
    // Signed: the `review` event brings the new step too; asking is for a missed event, and its failure is not the signature's.
    api.getReview({}).then(setReview, () => undefined);
  };

  if (bid === null || items.length === 0) return null;

  return (
    <div data-testid="prelim-panel" data-state={frozen ? 'submitted' : 'draft'} style={panelStyle}>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 16, padding: '8px 12px', flexWrap: 'wrap' }}>
        <span style={{ fontSize: 30, fontWeight: 800 }}>{t('review.prelim.title')}</span>
        <span data-testid="prelim-saved" data-state={edits.saving ? 'saving' : edits.errors.size > 0 ? 'error' : 'saved'} role="status" aria-live="polite" style={{ fontSize: 22, color: edits.errors.size > 0 ? token.colorErrorText : token.colorSuccessText }}>
          {edits.saving ? t('booth.score.saving') : sheet?.savedAt ? `✓ ${t('booth.score.saved', { time: formatClock(sheet.savedAt, lang) })}` : t('booth.score.neverSaved')}
        </span>
      </div>

      {frozen ? (
        <div data-testid="prelim-submitted" role="status" style={{ ...bannerStyle, background: token.colorSuccessBg, borderColor: token.colorSuccessBorder }}>
          <div style={{ fontSize: 28, fontWeight: 800, color: token.colorSuccessText }}>✓ {t('review.prelim.submitted')}</div>
          {sheet?.submittedAt ? <div style={{ fontSize: 22 }}>{t('booth.score.submitted.at', { time: formatClock(sheet.submittedAt, lang) })}</div> : null}
        </div>
      ) : (
        <div style={{ fontSize: 22, padding: '0 12px 8px', color: token.colorTextSecondary }}>{t('review.prelim.hint')}</div>
      )}

      <nav aria-label={t('review.results.bid')} style={{ display: 'flex', gap: 10, padding: '0 12px 8px', overflowX: 'auto', flex: 'none' }}>
        {bids.map((b) => {
          const progress = bidProgress(shownSheet, b, items);
          const active = b === bid;
          return (
            <Button
              key={b}
              data-testid={`prelim-bid-${b}`}
              data-active={active ? 'true' : 'false'}
              data-done={progress.done === progress.total ? 'true' : 'false'}
              type={active ? 'primary' : 'default'}
              onClick={() => setSelected(b)}
              style={{ height: 'auto', minHeight: 68, padding: '6px 18px', flex: 'none', display: 'flex', flexDirection: 'column', alignItems: 'center', lineHeight: 1.25 }}
            >
              <span style={{ fontSize: 24, fontWeight: 800 }}>{t('review.prelim.bid', { code: b })}</span>
              <span style={{ fontSize: 17 }}>
                {progress.done === progress.total ? '✓ ' : ''}
                {t('review.prelim.progress', { done: progress.done, total: progress.total })}
                {progress.failed > 0 ? ` · ${t('review.prelim.failedCount', { n: progress.failed })}` : ''}
              </span>
              {b === currentBidder ? <span style={{ fontSize: 16 }}>{t('review.prelim.current')}</span> : null}
            </Button>
          );
        })}
      </nav>

      <div ref={listRef} style={{ flex: 1, minHeight: 0, overflow: 'auto', padding: '0 12px' }}>
        {(['qualification', 'conformity'] as const).map((kind) => {
          const ofKind = items.filter((i) => i.kind === kind);
          if (ofKind.length === 0) return null;
          return (
            <section key={kind} data-testid={`prelim-kind-${kind}`}>
              <h3 style={{ fontSize: 24, fontWeight: 800, margin: '12px 0 6px' }}>{t(`review.prelim.kind.${kind}`)}</h3>
              {ofKind.map((item) => (
                <VerdictRow
                  key={`${bid}-${item.id}`}
                  bid={bid}
                  item={item}
                  verdict={shown(bid, item.id)}
                  problem={triedSubmit ? (problemAt.get(prelimKey(bid, item.id)) ?? null) : null}
                  saveError={edits.errors.get(prelimKey(bid, item.id))?.code ?? null}
                  frozen={frozen}
                  onSave={(edit) => edits.save(bid, item.id, edit)}
                />
              ))}
            </section>
          );
        })}
      </div>

      {!frozen ? (
        <div style={{ padding: 12, display: 'flex', justifyContent: 'flex-end' }}>
          <Button data-testid="prelim-submit" type="primary" onClick={onSubmitClick} style={{ height: 80, minWidth: 300, fontSize: 32, fontWeight: 700 }}>
            {t('review.prelim.submit')}
          </Button>
        </div>
      ) : null}

      {step === 'problems' ? (
        <BigDialog
          testId="prelim-problems"
          title={t('review.prelim.problems.title')}
          actions={
            <Button data-testid="prelim-problems-back" type="primary" onClick={() => (problems[0] ? goTo(problems[0]) : setStep(null))} style={bigButtonStyle}>
              {t('review.prelim.problems.back')}
            </Button>
          }
        >
          <ul style={{ textAlign: 'left', margin: 0, paddingLeft: 28 }}>
            {problems.map((p) => (
              <li key={`${p.bid}-${p.item}`} data-testid="prelim-problem" data-bid={p.bid} data-item={p.item} data-problem={p.problem}>
                <a role="button" tabIndex={0} onClick={() => goTo(p)} onKeyDown={(e) => e.key === 'Enter' && goTo(p)} style={{ cursor: 'pointer' }}>
                  {t('review.prelim.problems.item', { bid: p.bid, item: itemName(p.item), problem: t(`review.prelim.problem.${p.problem}`) })}
                </a>
              </li>
            ))}
            {problems.length === 0 ? <li>{t('booth.score.saving')}</li> : null}
          </ul>
        </BigDialog>
      ) : null}

      {step === 'confirm' ? (
        <BigDialog
          testId="prelim-confirm"
          title={t('review.prelim.confirm.title')}
          actions={
            <>
              <Button data-testid="prelim-confirm-back" onClick={() => setStep(null)} style={bigButtonStyle}>
                {t('review.prelim.confirm.back')}
              </Button>
              <Button data-testid="prelim-confirm-ok" type="primary" onClick={() => setStep('pin')} style={bigButtonStyle}>
                {t('review.prelim.confirm.ok')}
              </Button>
            </>
          }
        >
          <p style={{ margin: 0 }}>{t('review.prelim.confirm.body')}</p>
          <ul style={{ listStyle: 'none', padding: 0, margin: '12px 0 0' }}>
            {bids.map((b) => {
              const { failed } = bidProgress(shownSheet, b, items);
              return (
                <li key={b} data-testid={`prelim-summary-${b}`} data-failed={failed} style={{ fontWeight: 700, color: failed > 0 ? token.colorErrorText : undefined }}>
                  {t('review.prelim.confirm.summary', { code: b, verdict: failed > 0 ? t('review.prelim.verdict.failed', { n: failed }) : t('review.prelim.verdict.passed') })}
                </li>
              );
            })}
          </ul>
        </BigDialog>
      ) : null}

      {step === 'pin' ? <PinDialog title={t('review.prelim.pin')} token={session.token} onSign={submit} onCancel={() => setStep(null)} /> : null}
      {edits.errors.size > 0 && step === null ? (
        <div data-testid="booth-error" data-code={[...edits.errors.values()][0]?.code} style={{ fontSize: 20, color: token.colorErrorText, padding: '0 12px 8px' }}>
          {t('review.prelim.saveError', { error: errorMessage([...edits.errors.values()][0]!.code, lang) })}
        </div>
      ) : null}
    </div>
  );
}

function VerdictRow({
  bid,
  item,
  verdict,
  problem,
  saveError,
  frozen,
  onSave,
}: {
  bid: string;
  item: PreliminaryItem;
  verdict: Verdict;
  problem: 'missing' | 'reason_required' | null;
  saveError: string | null;
  frozen: boolean;
  onSave: (edit: VerdictEdit) => void;
}) {
  const { t } = useT();
  const { token } = theme.useToken();
  const [reasonText, setReasonText] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const id = `${bid}-${item.id}`;

  const onReason = (text: string) => {
    setReasonText(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => onSave({ pass: false, reason: text.trim() }), 500);
  };
  const flushReason = () => {
    if (reasonText === null) return;
    clearTimeout(timer.current);
    if (reasonText.trim() !== verdict.reason) onSave({ pass: false, reason: reasonText.trim() });
    setReasonText(null);
  };
  const choose = (pass: boolean) => {
    if (frozen || verdict.pass === pass) return;
    onSave({ pass });
  };

  const flagged = problem !== null || saveError !== null;
  const verdictButton = (pass: boolean): CSSProperties => {
    const on = verdict.pass === pass;
    const colour = pass ? token.colorSuccess : token.colorError;
    return { height: 64, minWidth: 150, fontSize: 28, fontWeight: 700, borderWidth: 3, borderColor: on ? colour : token.colorBorder, background: on ? colour : undefined, color: on ? '#fff' : undefined };
  };
  return (
    <div
      data-testid={`prelim-item-${id}`}
      data-prelim-bid={bid}
      data-prelim-item={item.id}
      data-pass={verdict.pass === null ? '' : String(verdict.pass)}
      data-problem={problem ?? ''}
      style={{ ...rowStyle, borderColor: flagged ? token.colorError : token.colorBorderSecondary, background: flagged ? token.colorErrorBg : undefined }}
    >
      <div style={{ display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap' }}>
        <div style={{ flex: '1 1 240px', minWidth: 0 }}>
          <div style={{ fontSize: 26, fontWeight: 700 }}>{item.name}</div>
          {item.description ? (
            <div data-testid={`prelim-desc-${item.id}`} style={{ fontSize: 20, color: token.colorTextSecondary, whiteSpace: 'pre-wrap' }}>
              {item.description}
            </div>
          ) : null}
        </div>
        <div style={{ display: 'flex', gap: 12, flex: 'none' }}>
          <Button data-testid={`prelim-pass-${id}`} aria-pressed={verdict.pass === true} disabled={frozen && verdict.pass !== true} onClick={() => choose(true)} style={verdictButton(true)}>
            {verdict.pass === true ? '✓ ' : ''}
            {t('review.prelim.pass')}
          </Button>
          <Button data-testid={`prelim-fail-${id}`} aria-pressed={verdict.pass === false} disabled={frozen && verdict.pass !== false} onClick={() => choose(false)} style={verdictButton(false)}>
            {verdict.pass === false ? '✗ ' : ''}
            {t('review.prelim.fail')}
          </Button>
        </div>
      </div>
      {verdict.pass === false ? (
        <div style={{ marginTop: 8 }}>
          <div style={{ fontSize: 20, fontWeight: 600, color: token.colorErrorText }}>{t('review.prelim.reason')}</div>
          <Input.TextArea
            data-testid={`prelim-reason-${id}`}
            value={reasonText ?? verdict.reason}
            readOnly={frozen}
            maxLength={500}
            autoSize={{ minRows: 2, maxRows: 5 }}
            placeholder={t('review.prelim.reason.placeholder')}
            onChange={(event) => onReason(event.target.value)}
            onBlur={flushReason}
            style={{ fontSize: 22 }}
          />
        </div>
      ) : null}
      {problem ? (
        <div data-testid={`prelim-problem-${id}`} style={{ fontSize: 20, color: token.colorErrorText, marginTop: 4 }}>
          {t(`review.prelim.problem.${problem}`)}
        </div>
      ) : null}
    </div>
  );
}

const panelStyle: CSSProperties = { height: '100%', display: 'flex', flexDirection: 'column', minWidth: 0 };
const bannerStyle: CSSProperties = { margin: '0 12px 8px', padding: '10px 16px', border: '2px solid', borderRadius: 12, textAlign: 'center' };
const rowStyle: CSSProperties = { border: '2px solid', borderRadius: 12, padding: '10px 14px', marginBottom: 10 };
