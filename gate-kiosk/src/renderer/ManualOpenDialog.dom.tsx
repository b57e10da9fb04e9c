import { useState, type CSSProperties } from 'react';
import { Alert, Button, Input, Modal, Typography, theme } from 'antd';
import type { GateContract } from '@kawei/shared/contract/gate.contract.ts';
import { ERROR_CODES, type ApiError, type ErrorCode } from '@kawei/shared/errors.ts';
import { errorMessage, type Lang } from '@kawei/shared/i18n/messages.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { MANUAL_OPEN_REASONS, MANUAL_OPEN_NOTE_MAX, MANUAL_OPEN_OTHER as OTHER, manualOpenReason } from './manual-open-reason.ts';

/** The services' failure: an error code when it is one (translated), else their words as given. */
function failureText(error: string | undefined, lang: Lang): string {
  if (!error) return errorMessage('INTERNAL', lang);
  return (ERROR_CODES as readonly string[]).includes(error) ? errorMessage(error as ErrorCode, lang) : error;
}

type Step = { kind: 'choose' } | { kind: 'confirm'; reason: string } | { kind: 'sending'; reason: string } | { kind: 'done'; seq: number } | { kind: 'failed'; message: string };

/**
 * 手动开闸: a reason is mandatory (a preset button, optionally with a note), then a confirmation
 * step that repeats the reason, then the result. Staff calls that find the session expired hand the
 * error to `onStaffError`, which logs out.
 */
export function ManualOpenDialog({
  api,
  staffToken,
  open,
  onClose,
  onStaffError,
}: {
  api: ApiConnection<GateContract>['api'];
  staffToken: string;
  open: boolean;
  onClose: () => void;
  onStaffError: (error: ApiError) => boolean;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const [preset, setPreset] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [step, setStep] = useState<Step>({ kind: 'choose' });

  const reason = manualOpenReason(preset, note);
  const close = () => {
    if (step.kind === 'sending') return;
    setPreset(null);
    setNote('');
    setStep({ kind: 'choose' });
    onClose();
  };

  const send = async (text: string) => {
    setStep({ kind: 'sending', reason: text });
    try {
      const out = await api.manualOpen({ staffToken, reason: text });
      setStep(out.ok ? { kind: 'done', seq: out.eventSeq } : { kind: 'failed', message: failureText(out.error, lang) });
    } catch (thrown) {
      const error = toApiError(thrown);
      if (onStaffError(error)) return;
      setStep({ kind: 'failed', message: errorMessage(error.code, lang) });
    }
  };

  return (
    <Modal
      open={open}
      onCancel={close}
      footer={null}
      width={760}
      maskClosable={false}
      destroyOnHidden
      title={<span style={{ fontSize: 30 }}>{t(step.kind === 'confirm' || step.kind === 'sending' ? 'gate.manual.confirm.title' : 'gate.manual.title')}</span>}
    >
      <div data-testid="manual-open-dialog" data-step={step.kind} style={bodyStyle}>
        {step.kind === 'choose' ? (
          <>
            <Typography.Text style={{ fontSize: 22 }}>{t('gate.manual.prompt')}</Typography.Text>
            <div style={presetGridStyle}>
              {MANUAL_OPEN_REASONS.map((key, n) => (
                <Button
                  key={key}
                  data-testid={`manual-open-reason-${n}`}
                  aria-pressed={preset === n}
                  type={preset === n ? 'primary' : 'default'}
                  size="large"
                  onClick={() => setPreset(n)}
                  style={presetStyle}
                >
                  {t(key)}
                </Button>
              ))}
            </div>
            <label style={{ display: 'flex', flexDirection: 'column', gap: 8, fontSize: 20 }}>
              {t('gate.manual.note.label')}
              <Input.TextArea
                data-testid="manual-open-note"
                value={note}
                maxLength={MANUAL_OPEN_NOTE_MAX}
                autoSize={{ minRows: 2, maxRows: 4 }}
                onChange={(event) => setNote(event.target.value)}
                style={{ fontSize: 22 }}
              />
            </label>
            {preset === OTHER && !reason ? <Typography.Text type="warning">{t('gate.manual.note.required')}</Typography.Text> : null}
            <div style={actionsStyle}>
              <Button size="large" onClick={close} style={actionStyle}>
                {t('gate.staff.cancel')}
              </Button>
              <Button
                data-testid="manual-open-next"
                type="primary"
                size="large"
                disabled={!reason}
                onClick={() => reason && setStep({ kind: 'confirm', reason })}
                style={actionStyle}
              >
                {t('gate.manual.next')}
              </Button>
            </div>
          </>
        ) : null}

        {step.kind === 'confirm' || step.kind === 'sending' ? (
          <>
            <Typography.Paragraph data-testid="manual-open-reason" style={{ fontSize: 26, margin: 0 }}>
              {t('gate.manual.confirm.reason', { reason: step.reason })}
            </Typography.Paragraph>
            <div style={actionsStyle}>
              <Button size="large" disabled={step.kind === 'sending'} onClick={() => setStep({ kind: 'choose' })} style={actionStyle}>
                {t('gate.manual.back')}
              </Button>
              <Button
                data-testid="manual-open-confirm"
                type="primary"
                danger
                size="large"
                loading={step.kind === 'sending'}
                onClick={() => void send(step.reason)}
                style={actionStyle}
              >
                {t(step.kind === 'sending' ? 'gate.manual.opening' : 'gate.manual.confirm.ok')}
              </Button>
            </div>
          </>
        ) : null}

        {step.kind === 'done' || step.kind === 'failed' ? (
          <>
            <Alert
              data-testid="manual-open-result"
              data-ok={step.kind === 'done' ? 'true' : 'false'}
              type={step.kind === 'done' ? 'success' : 'error'}
              showIcon
              title={
                <span style={{ fontSize: 24, color: step.kind === 'done' ? token.colorSuccessText : token.colorErrorText }}>
                  {step.kind === 'done' ? t('gate.manual.done', { seq: step.seq }) : t('gate.manual.failed', { error: step.message })}
                </span>
              }
            />
            <div style={actionsStyle}>
              <Button data-testid="manual-open-close" type="primary" size="large" onClick={close} style={actionStyle}>
                {t('gate.manual.close')}
              </Button>
            </div>
          </>
        ) : null}
      </div>
    </Modal>
  );
}

const bodyStyle: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 20, paddingTop: 8 };
const presetGridStyle: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(2, 1fr)', gap: 12 };
const presetStyle: CSSProperties = { height: 80, fontSize: 24, whiteSpace: 'normal' };
const actionsStyle: CSSProperties = { display: 'flex', justifyContent: 'flex-end', gap: 16 };
const actionStyle: CSSProperties = { minWidth: 160, height: 64, fontSize: 24 };
