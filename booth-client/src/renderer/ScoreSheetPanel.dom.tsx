import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { Button, Input, Spin, theme } from 'antd';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { BoothSession, ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { BigDialog, bigButtonStyle } from './BigDialog.dom.tsx';
import { bidderTotal, cellKey, formatClock, formatScore, parseScore, problemsByCell, stepScore, type CellProblem } from './booth-view.ts';
import {
  groupCriteria,
  hasTiers,
  isObjective,
  isRecheck,
  objectiveOptions,
  parseScoreWithin,
  priceLines,
  recheckCells,
  recheckLines,
  scoreBounds,
  stepWithin,
  tierOf,
  valueForTier,
} from './detailed-view.ts';
import { PinDialog } from './PinDialog.dom.tsx';
import { useScoreSheet, type CellEdit } from './useScoreSheet.dom.ts';

type Api = ApiConnection<BoothContract>['api'];
type SignResult = Awaited<ReturnType<Api['submitScores']>>;
type Step = null | 'problems' | 'confirm' | 'pin';

/**
 * The score sheet: criteria down, bidder codes across, the column of the file being read
 * highlighted. Each cell has a big number field with − and + (half points) so no keyboard is
 * needed, the maximum beside the criterion, and a note field when the services say the score needs
 * one. Every change is saved at once. 提交评分 checks completeness (the services' problem list), asks
 * for confirmation, then the USB-key PIN; a submitted sheet is frozen and says 已签名提交.
 *
 * Under scoring rules (the committee's review): items grouped (技术/商务/…) with the rule text beside
 * each, objective items answered by the allowed points only, subjective items with tiers (优/良/中/差)
 * that bound the score, the computed price group read-only, and a banner when the committee sent the
 * sheet back for re-check (the cells concerned marked).
 */
export function ScoreSheetPanel({
  api,
  session,
  currentBidder,
  review = null,
  reloadKey = '',
}: {
  api: Api;
  session: BoothSession;
  currentBidder: string | null;
  review?: ReviewView | null;
  /** A change (a new revision sent back, a new step) reads the sheet again. */
  reloadKey?: string;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const view = useScoreSheet(api);
  const { sheet } = view;
  const [step, setStep] = useState<Step>(null);
  const [signed, setSigned] = useState<SignResult | null>(null);
  const [triedSubmit, setTriedSubmit] = useState(false);
  const tableRef = useRef<HTMLTableElement | null>(null);
  const { reload } = view;

  // A sheet sent back for re-check is a draft again while the session may still say submitted.
  const reopened = review?.step === 'detailed';
  // The phase moved to submitted elsewhere (another window, a restart): read the frozen sheet.
  useEffect(() => {
    if (session.phase === 'submitted' && !reopened && sheet && sheet.status !== 'submitted') reload();
  }, [session.phase, reopened, sheet, reload]);

  const lastReloadKey = useRef(reloadKey);
  useEffect(() => {
    if (lastReloadKey.current === reloadKey) return;
    lastReloadKey.current = reloadKey;
    reload();
  }, [reloadKey, reload]);

  if (!sheet) {
    return (
      <div data-testid="score-sheet" data-state="loading" style={{ padding: 24, fontSize: 24, display: 'flex', flexDirection: 'column', gap: 16, alignItems: 'center' }}>
        {view.loadError ? (
          <>
            <span data-testid="booth-error" data-code={view.loadError.code} style={{ color: token.colorErrorText }}>
              {errorMessage(view.loadError.code, lang)}
            </span>
            <Button size="large" onClick={view.reload}>
              {t('app.retry')}
            </Button>
          </>
        ) : (
          <>
            <Spin size="large" />
            {t('booth.score.loading')}
          </>
        )}
      </div>
    );
  }

  const frozen = sheet.status === 'submitted' || (session.phase === 'submitted' && !reopened);
  const problems = problemsByCell(sheet);
  const groups = groupCriteria(sheet.criteria, review?.rules.groups ?? []);
  const price = review?.rules.price ?? null;
  const recheck = isRecheck(sheet) && !frozen ? recheckCells(sheet) : null;
  const criterionName = (id: string) => sheet.criteria.find((c) => c.id === id)?.name ?? id;

  const submit = async (pin: string) => {
    const result = await api.submitScores({ pin });
    setSigned(result);
    setStep(null);
    reload();
  };

  // Close the list and take the expert to the cell: scrolled into view, its first control focused.
  const goToCell = (cell: { bidder: string; criterion: string; problem: CellProblem } | undefined) => {
    setStep(null);
    if (!cell) return;
    requestAnimationFrame(() => {
      const td = tableRef.current?.querySelector<HTMLElement>(`[data-testid="${CSS.escape(`score-cell-${cell.bidder}-${cell.criterion}`)}"]`);
      td?.scrollIntoView({ block: 'center', inline: 'center', behavior: 'smooth' });
      const order = cell.problem === 'note_required' ? ['textarea', 'input', 'button:not([disabled])'] : ['input', 'button:not([disabled])'];
      for (const selector of order) {
        const control = td?.querySelector<HTMLElement>(selector);
        if (control) {
          control.focus();
          break;
        }
      }
    });
  };

  const onSubmitClick = () => {
    setTriedSubmit(true);
    setStep(sheet.problems.length > 0 || view.pending.size > 0 || view.saving ? 'problems' : 'confirm');
  };

  return (
    <div data-testid="score-sheet" data-state={frozen ? 'submitted' : 'draft'} style={panelStyle}>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: 16, padding: '8px 12px', flexWrap: 'wrap' }}>
        <span style={{ fontSize: 30, fontWeight: 800 }}>{t('booth.score.title')}</span>
        <SavedLine sheet={sheet} saving={view.saving} failed={view.errors.size > 0} />
      </div>

      {recheck ? (
        <div data-testid="recheck-banner" role="alert" data-revision={sheet.revision} data-reason={sheet.recheck?.reason ?? ''} style={{ ...submittedStyle, textAlign: 'left', background: token.colorWarningBg, borderColor: token.colorWarning }}>
          {recheckLines(sheet, t).map((line, i) => (
            <span key={i} style={{ fontSize: i === 0 ? 24 : 20, fontWeight: i === 0 ? 800 : 500, display: i === 0 ? 'block' : 'inline', marginRight: 12 }}>
              {line}
            </span>
          ))}
        </div>
      ) : null}

      {frozen ? (
        <div data-testid="score-submitted" role="status" style={{ ...submittedStyle, background: token.colorSuccessBg, borderColor: token.colorSuccessBorder }}>
          <div style={{ fontSize: 30, fontWeight: 800, color: token.colorSuccessText }}>✓ {t('booth.score.submitted')}</div>
          {sheet.submittedAt || signed ? (
            <div style={{ fontSize: 22 }}>{t('booth.score.submitted.at', { time: formatClock(sheet.submittedAt ?? signed?.signedAt ?? 0, lang) })}</div>
          ) : null}
          {signed ? <div style={{ fontSize: 20 }}>{t('booth.score.submitted.signer', { signer: signed.signer })}</div> : null}
        </div>
      ) : null}

      <div style={{ flex: 1, minHeight: 0, overflow: 'auto' }}>
        <table ref={tableRef} style={tableStyle}>
          <thead>
            <tr>
              <th style={{ ...stickyCorner, background: token.colorBgContainer }}>{t('booth.score.criterion')}</th>
              {sheet.bidders.map((bidder) => (
                <BidderHeading key={bidder} bidder={bidder} current={bidder === currentBidder} />
              ))}
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => [
              group.name !== null ? (
                <tr key={`group-${group.id ?? ''}`} data-testid={`score-group-${group.id ?? ''}`}>
                  <th colSpan={sheet.bidders.length + 1} style={{ ...groupStyle, background: token.colorFillSecondary, borderColor: token.colorBorderSecondary }}>
                    <span style={{ position: 'sticky', left: 12 }}>{t('booth.score.group', { name: group.name, max: formatScore(group.max) })}</span>
                  </th>
                </tr>
              ) : null,
              ...group.criteria.map((criterion) => (
              <tr key={criterion.id}>
                <th scope="row" style={{ ...stickyColumn, background: token.colorBgContainer, borderColor: token.colorBorderSecondary }}>
                  <div style={{ fontSize: 24, fontWeight: 700 }}>{criterion.name}</div>
                  <div data-testid={`score-max-${criterion.id}`} style={{ fontSize: 20, color: token.colorTextSecondary, fontWeight: 400 }}>
                    {t('booth.score.max', { max: formatScore(criterion.max) })}
                  </div>
                  {criterion.kind ? (
                    <div data-testid={`score-kind-${criterion.id}`} data-kind={criterion.kind} style={{ fontSize: 18, color: token.colorPrimaryText, fontWeight: 500 }}>
                      {isObjective(criterion) ? t('booth.score.objective') : hasTiers(criterion) ? t('booth.score.tiers') : t('booth.score.subjective', { max: formatScore(criterion.max) })}
                    </div>
                  ) : null}
                  {criterion.description ? (
                    <div data-testid={`score-desc-${criterion.id}`} style={{ ...descStyle, color: token.colorText, background: token.colorFillQuaternary }}>
                      {criterion.description}
                    </div>
                  ) : null}
                </th>
                {sheet.bidders.map((bidder) => {
                  const key = cellKey(bidder, criterion.id);
                  return (
                    <ScoreCell
                      key={bidder}
                      bidder={bidder}
                      criterion={criterion}
                      stored={sheet.scores[bidder]?.[criterion.id] ?? null}
                      storedNote={sheet.notes[bidder]?.[criterion.id] ?? ''}
                      pending={view.pending.get(key)}
                      storedTier={sheet.tiers[bidder]?.[criterion.id] ?? ''}
                      recheck={recheck?.has(key) ?? false}
                      problems={problems.get(key) ?? []}
                      showMissing={triedSubmit}
                      saveError={view.errors.get(key) ?? null}
                      current={bidder === currentBidder}
                      frozen={frozen}
                      onSave={(edit) => view.save(bidder, criterion.id, edit)}
                    />
                  );
                })}
              </tr>
              )),
            ])}
            {price ? (
              <tr data-testid="score-price-row">
                <th scope="row" style={{ ...stickyColumn, background: token.colorBgContainer, borderColor: token.colorBorderSecondary }}>
                  <div style={{ fontSize: 24, fontWeight: 700 }}>{priceLines(price, review?.rules.groups ?? [], t).title}</div>
                </th>
                <td colSpan={sheet.bidders.length} data-testid="score-price-computed" style={{ ...cellStyle, borderColor: token.colorBorderSecondary, background: token.colorFillQuaternary }}>
                  <div style={{ fontSize: 22, fontWeight: 700 }}>{t('booth.score.price.computed')}</div>
                  <div style={{ fontSize: 18, color: token.colorTextSecondary }}>{priceLines(price, review?.rules.groups ?? [], t).formula}</div>
                </td>
              </tr>
            ) : null}
            <tr>
              <th scope="row" style={{ ...stickyColumn, background: token.colorBgContainer, borderColor: token.colorBorderSecondary, fontSize: 24 }}>
                {t('booth.score.total')}
              </th>
              {sheet.bidders.map((bidder) => {
                const { total, complete } = bidderTotal(sheet, bidder);
                return (
                  <td
                    key={bidder}
                    data-testid={`score-total-${bidder}`}
                    data-complete={complete ? 'true' : 'false'}
                    style={{ ...cellStyle, fontSize: 30, fontWeight: 800, textAlign: 'center', borderColor: token.colorBorderSecondary, background: bidder === currentBidder ? token.colorPrimaryBg : undefined }}
                  >
                    {formatScore(total)}
                  </td>
                );
              })}
            </tr>
          </tbody>
        </table>
      </div>

      {!frozen ? (
        <div style={{ padding: 12, display: 'flex', justifyContent: 'flex-end' }}>
          <Button data-testid="score-submit" type="primary" size="large" onClick={onSubmitClick} style={{ height: 80, minWidth: 280, fontSize: 34, fontWeight: 700 }}>
            {t('booth.score.submit')}
          </Button>
        </div>
      ) : null}

      {step === 'problems' ? (
        <BigDialog
          testId="score-problems"
          title={t('booth.score.problems.title')}
          actions={
            <Button data-testid="score-problems-back" type="primary" size="large" onClick={() => goToCell(sheet.problems[0])} style={bigButtonStyle}>
              {t('booth.score.problems.back')}
            </Button>
          }
        >
          <ul style={{ textAlign: 'left', margin: 0, paddingLeft: 28 }}>
            {sheet.problems.map((p) => (
              <li key={`${p.bidder}-${p.criterion}-${p.problem}`} data-testid="score-problem" data-bidder={p.bidder} data-criterion={p.criterion} data-problem={p.problem}>
                <a role="button" tabIndex={0} onClick={() => goToCell(p)} onKeyDown={(e) => e.key === 'Enter' && goToCell(p)} style={{ cursor: 'pointer' }}>
                  {t('booth.score.problems.item', { bidder: p.bidder, criterion: criterionName(p.criterion), problem: t(`booth.score.problem.${p.problem}`) })}
                </a>
              </li>
            ))}
            {sheet.problems.length === 0 ? <li>{t('booth.score.saving')}</li> : null}
          </ul>
        </BigDialog>
      ) : null}

      {step === 'confirm' ? (
        <BigDialog
          testId="score-confirm"
          title={t('booth.score.confirm.title')}
          actions={
            <>
              <Button data-testid="score-submit-back" size="large" onClick={() => setStep(null)} style={bigButtonStyle}>
                {t('booth.score.confirm.back')}
              </Button>
              <Button data-testid="score-submit-confirm" type="primary" size="large" onClick={() => setStep('pin')} style={bigButtonStyle}>
                {t('booth.score.confirm.ok')}
              </Button>
            </>
          }
        >
          <p style={{ margin: 0 }}>{t('booth.score.confirm.body')}</p>
          <table style={{ margin: '12px auto 0', borderCollapse: 'collapse', fontSize: 26 }}>
            <tbody>
              {sheet.bidders.map((bidder) => (
                <tr key={bidder}>
                  <td style={{ padding: '4px 20px', textAlign: 'left' }}>{t('booth.score.bidder', { code: bidder })}</td>
                  <td style={{ padding: '4px 20px', textAlign: 'right', fontWeight: 800 }}>{formatScore(bidderTotal(sheet, bidder).total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </BigDialog>
      ) : null}

      {step === 'pin' ? <PinDialog title={t('booth.pin.title.scores')} token={session.token} onSign={submit} onCancel={() => setStep(null)} /> : null}
    </div>
  );
}

function BidderHeading({ bidder, current }: { bidder: string; current: boolean }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const ref = useRef<HTMLTableCellElement | null>(null);
  useEffect(() => {
    if (current) ref.current?.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: 'smooth' });
  }, [current]);
  return (
    <th
      ref={ref}
      data-testid={`score-bidder-${bidder}`}
      data-current={current ? 'true' : 'false'}
      style={{ ...stickyHeader, background: current ? token.colorPrimaryBg : token.colorBgContainer, borderColor: token.colorBorderSecondary }}
    >
      <div style={{ fontSize: 24, fontWeight: 800 }}>{t('booth.score.bidder', { code: bidder })}</div>
      {current ? <div style={{ fontSize: 18, color: token.colorPrimaryText }}>{t('booth.score.current')}</div> : null}
    </th>
  );
}

function ScoreCell({
  bidder,
  criterion,
  stored,
  storedNote,
  pending,
  storedTier,
  recheck,
  problems,
  showMissing,
  saveError,
  current,
  frozen,
  onSave,
}: {
  bidder: string;
  criterion: ScoreSheet['criteria'][number];
  stored: number | null;
  storedNote: string;
  pending: CellEdit | undefined;
  storedTier: string;
  recheck: boolean;
  problems: CellProblem[];
  showMissing: boolean;
  saveError: ApiError | null;
  current: boolean;
  frozen: boolean;
  onSave: (edit: CellEdit) => void;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const value = pending ? pending.value : stored;
  const note = pending?.note ?? storedNote;
  const [typing, setTyping] = useState<string | null>(null);
  const [noteText, setNoteText] = useState<string | null>(null);
  const noteTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(noteTimer.current), []);

  const id = `${bidder}-${criterion.id}`;
  const chosenTier = (pending?.tier ?? storedTier) || null;
  const bounds = scoreBounds(criterion, chosenTier);
  const tierBound = chosenTier !== null && hasTiers(criterion);
  const parsed = typing === null ? null : tierBound ? parseScoreWithin(typing, bounds.min, bounds.max) : parseScore(typing, criterion.max);
  const invalid = parsed && !parsed.ok ? parsed.problem : null;
  const needsNote = problems.includes('note_required');
  const shownProblems = problems.filter((p) => p !== 'note_required' && (p !== 'missing' || showMissing));
  const flagged = invalid !== null || shownProblems.length > 0 || needsNote || saveError !== null;

  const setValue = (next: number | null) => {
    if (frozen) return;
    setTyping(null);
    if (next !== value) onSave({ value: next });
  };
  const onType = (text: string) => {
    setTyping(text);
    const result = tierBound ? parseScoreWithin(text, bounds.min, bounds.max) : parseScore(text, criterion.max);
    if (result.ok && result.value !== value) onSave({ value: result.value });
  };
  const onNote = (text: string) => {
    setNoteText(text);
    clearTimeout(noteTimer.current);
    noteTimer.current = setTimeout(() => onSave({ value, note: text.trim() }), 500);
  };
  const flushNote = () => {
    if (noteText === null) return;
    clearTimeout(noteTimer.current);
    if (noteText.trim() !== note) onSave({ value, note: noteText.trim() });
    setNoteText(null);
  };

  const step = (direction: 1 | -1) => (tierBound ? stepWithin(value, direction, bounds.min, bounds.max) : stepScore(value, direction, criterion.max));
  const chooseTier = (label: string) => {
    if (frozen || label === chosenTier || !hasTiers(criterion)) return;
    const tier = criterion.tiers.find((x) => x.label === label);
    if (!tier) return;
    setTyping(null);
    onSave({ value: valueForTier(value, tier), tier: label });
  };
  const inferredTier = hasTiers(criterion) ? tierOf(value, criterion.tiers)?.label ?? null : null;

  const stepButton: CSSProperties = { width: 52, height: 56, fontSize: 30, fontWeight: 700, padding: 0, flex: 'none' };
  return (
    <td
      data-testid={`score-cell-${id}`}
      data-problems={problems.join(' ')}
      data-recheck={recheck ? 'true' : 'false'}
      data-tier={chosenTier ?? ''}
      style={{
        ...cellStyle,
        borderColor: token.colorBorderSecondary,
        background: flagged ? token.colorErrorBg : recheck ? token.colorWarningBg : current ? token.colorPrimaryBg : undefined,
        outline: recheck ? `3px solid ${token.colorWarning}` : undefined,
        outlineOffset: -3,
      }}
    >
      {isObjective(criterion) ? (
        <div role="group" aria-label={t('booth.score.input', { bidder, criterion: criterion.name })} style={{ display: 'flex', gap: 8, flexWrap: 'wrap', justifyContent: 'center' }}>
          {objectiveOptions(criterion).map((points) => {
            const on = value === points;
            return (
              <Button
                key={points}
                data-testid={`score-option-${id}-${points}`}
                data-selected={on ? 'true' : 'false'}
                aria-pressed={on}
                aria-label={t('booth.score.option.aria', { bidder, criterion: criterion.name, points: formatScore(points) })}
                type={on ? 'primary' : 'default'}
                disabled={frozen && !on}
                onClick={() => setValue(points)}
                style={{ height: 56, minWidth: 88, fontSize: 26, fontWeight: 700 }}
              >
                {t('booth.score.option', { points: formatScore(points) })}
              </Button>
            );
          })}
        </div>
      ) : null}
      {hasTiers(criterion) ? (
        <div role="group" style={{ display: 'flex', gap: 6, flexWrap: 'wrap', justifyContent: 'center', marginBottom: 6 }}>
          {criterion.tiers.map((tier) => {
            const on = chosenTier === tier.label;
            const hinted = !on && chosenTier === null && inferredTier === tier.label;
            return (
              <Button
                key={tier.label}
                data-testid={`score-tier-${id}-${tier.label}`}
                data-selected={on ? 'true' : 'false'}
                aria-pressed={on}
                type={on ? 'primary' : hinted ? 'dashed' : 'default'}
                disabled={frozen && !on}
                onClick={() => chooseTier(tier.label)}
                style={{ height: 52, fontSize: 20, fontWeight: 700, padding: '0 10px' }}
              >
                {t('booth.score.tier', { label: tier.label, min: formatScore(tier.min), max: formatScore(tier.max) })}
              </Button>
            );
          })}
        </div>
      ) : null}
      {isObjective(criterion) ? null : (
      <div style={{ display: 'flex', gap: 6, alignItems: 'center', justifyContent: 'center' }}>
        <Button data-testid={`score-minus-${id}`} aria-label={t('booth.score.minus')} disabled={frozen || value === null || value <= bounds.min} onClick={() => setValue(step(-1))} style={stepButton}>
          −
        </Button>
        <input
          data-testid={`score-input-${id}`}
          aria-label={t('booth.score.input', { bidder, criterion: criterion.name })}
          inputMode="decimal"
          autoComplete="off"
          readOnly={frozen}
          value={typing ?? formatScore(value)}
          onChange={(event) => onType(event.target.value)}
          onBlur={() => {
            if (parsed?.ok || typing === null) setTyping(null);
          }}
          style={{
            ...inputStyle,
            borderColor: invalid ? token.colorError : token.colorBorder,
            background: frozen ? token.colorBgContainerDisabled : token.colorBgContainer,
            color: token.colorText,
          }}
        />
        <Button data-testid={`score-plus-${id}`} aria-label={t('booth.score.plus')} disabled={frozen || (value ?? -1) >= bounds.max} onClick={() => setValue(step(1))} style={stepButton}>
          +
        </Button>
      </div>
      )}
      {tierBound && !frozen ? (
        <div data-testid={`score-tier-range-${id}`} style={{ ...hintStyle, color: token.colorTextSecondary }}>
          {t('booth.score.tierRange', { min: formatScore(bounds.min), max: formatScore(bounds.max) })}
        </div>
      ) : null}
      {invalid ? (
        <div data-testid="booth-error" data-code="SCORE_INVALID" style={{ ...hintStyle, color: token.colorErrorText }}>
          {tierBound && invalid === 'out_of_range'
            ? t('booth.score.invalid.outside_tier', { min: formatScore(bounds.min), max: formatScore(bounds.max) })
            : t(`booth.score.invalid.${invalid}`, { max: formatScore(criterion.max) })}
        </div>
      ) : null}
      {shownProblems.map((p) => (
        <div key={p} data-testid="score-cell-problem" data-problem={p} style={{ ...hintStyle, color: token.colorErrorText }}>
          {t(`booth.score.problem.${p}`)}
        </div>
      ))}
      {saveError ? (
        <div data-testid="booth-error" data-code={saveError.code} style={{ ...hintStyle, color: token.colorErrorText }}>
          {t('booth.score.saveError', { error: errorMessage(saveError.code, lang) })}
        </div>
      ) : null}
      {needsNote || note !== '' || noteText !== null ? (
        <div style={{ marginTop: 6 }}>
          {needsNote ? <div style={{ ...hintStyle, color: token.colorErrorText, fontWeight: 600 }}>{t('booth.score.note.label')}</div> : null}
          <Input.TextArea
            data-testid={`score-note-${id}`}
            value={noteText ?? note}
            readOnly={frozen}
            maxLength={500}
            autoSize={{ minRows: 2, maxRows: 4 }}
            placeholder={t('booth.score.note.placeholder')}
            onChange={(event) => onNote(event.target.value)}
            onBlur={flushNote}
            style={{ fontSize: 20 }}
          />
        </div>
      ) : null}
    </td>
  );
}

function SavedLine({ sheet, saving, failed }: { sheet: ScoreSheet; saving: boolean; failed: boolean }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const state = saving ? 'saving' : failed ? 'error' : sheet.savedAt ? 'saved' : 'never';
  return (
    <span data-testid="score-saved" data-state={state} data-saved-at={sheet.savedAt ?? ''} role="status" aria-live="polite" style={{ fontSize: 22, color: failed ? token.colorErrorText : token.colorSuccessText }}>
      {saving
        ? t('booth.score.saving')
        : sheet.savedAt
          ? `✓ ${t('booth.score.saved', { time: formatClock(sheet.savedAt, lang) })}`
          : t('booth.score.neverSaved')}
    </span>
  );
}

const panelStyle: CSSProperties = { height: '100%', display: 'flex', flexDirection: 'column', minWidth: 0 };
const submittedStyle: CSSProperties = { margin: '0 12px 8px', padding: '10px 16px', border: '2px solid', borderRadius: 12, textAlign: 'center' };
const tableStyle: CSSProperties = { borderCollapse: 'separate', borderSpacing: 0, minWidth: '100%' };
const stickyCorner: CSSProperties = { position: 'sticky', top: 0, left: 0, zIndex: 3, padding: '8px 12px', fontSize: 22, textAlign: 'left', minWidth: 130 };
const stickyHeader: CSSProperties = { position: 'sticky', top: 0, zIndex: 2, padding: '8px 12px', textAlign: 'center', borderBottom: '2px solid', minWidth: 200 };
const stickyColumn: CSSProperties = { position: 'sticky', left: 0, zIndex: 1, padding: '10px 12px', textAlign: 'left', borderBottom: '1px solid', verticalAlign: 'top' };
const cellStyle: CSSProperties = { padding: '10px 8px', borderBottom: '1px solid', verticalAlign: 'top' };
const inputStyle: CSSProperties = {
  width: 84,
  height: 56,
  fontSize: 30,
  fontWeight: 700,
  textAlign: 'center',
  border: '2px solid',
  borderRadius: 8,
  outline: 'none',
  padding: 0,
};
const hintStyle: CSSProperties = { fontSize: 18, marginTop: 4, textAlign: 'center' };
const groupStyle: CSSProperties = { padding: '8px 12px', fontSize: 24, fontWeight: 800, textAlign: 'left', borderBottom: '2px solid' };
const descStyle: CSSProperties = { fontSize: 18, fontWeight: 400, marginTop: 6, padding: '6px 8px', borderRadius: 6, maxWidth: 320, whiteSpace: 'pre-wrap', lineHeight: 1.45 };
