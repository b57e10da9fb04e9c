import { useState, type CSSProperties, type FormEvent } from 'react';
import { Alert, Button, Form, Input, Typography, theme } from 'antd';
import type { DeviceKind } from '../domain/topology.ts';
import { errorMessage } from '../i18n/messages.ts';
import type { ApiError } from '../errors.ts';
import { toApiError } from './api-hooks.dom.tsx';
import { checkEnrolForm, formatCodeInput, formatFingerprintInput, type EnrolFormValues } from './enrol-form.ts';
import { useOtherLanguage, useT } from './i18n.dom.tsx';
import { ScreenFrame } from './ScreenFrame.dom.tsx';
import { StatusFooter } from './StatusFooter.dom.tsx';

/**
 * The technician's screen on a fresh device: the central's address, the one-time code and the
 * central's key fingerprint printed with it (the device talks only to the server holding that key),
 * one big button. Problems the form can see are shown under the fields before anything is sent; what the
 * central says comes back as an ApiError and is shown, translated, in one alert.
 */
export function EnrolmentScreen({
  deviceKind,
  appVersion,
  onEnrol,
}: {
  deviceKind: DeviceKind;
  appVersion: string;
  /** Calls the services' `enrol`; rejects with an ApiError when the central refuses. */
  onEnrol: (input: EnrolFormValues) => Promise<unknown>;
}) {
  const { t, lang } = useT();
  const tOther = useOtherLanguage();
  const { token } = theme.useToken();
  const [values, setValues] = useState<EnrolFormValues>({ centralUrl: '', code: '', centralFingerprint: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<keyof EnrolFormValues, string>>>({});
  const [submitError, setSubmitError] = useState<ApiError | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const edit = (field: keyof EnrolFormValues, value: string) => {
    setValues((previous) => ({ ...previous, [field]: value }));
    setFieldErrors((previous) => ({ ...previous, [field]: undefined }));
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (submitting) return;
    const check = checkEnrolForm(values, t);
    setFieldErrors(check.errors);
    if (!check.input) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      await onEnrol(check.input);
    } catch (error) {
      setSubmitError(toApiError(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <ScreenFrame testId="enrol-screen" footer={<StatusFooter appVersion={appVersion} />}>
      <div style={{ ...cardStyle, background: token.colorBgContainer, boxShadow: token.boxShadowTertiary }}>
        <header style={{ marginBottom: 24 }}>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 40 }}>
            {t('enrol.title')}
          </Typography.Title>
          <Typography.Text type="secondary" style={{ fontSize: 22 }}>
            {tOther('enrol.title')}
          </Typography.Text>
          <Typography.Paragraph style={{ margin: '16px 0 0', fontSize: 20 }}>
            {t('enrol.subtitle')}
            <br />
            <Typography.Text type="secondary">{t(deviceKind === 'booth' ? 'enrol.kind.booth' : 'enrol.kind.gate')}</Typography.Text>
          </Typography.Paragraph>
        </header>

        <Form component={false} layout="vertical" requiredMark={false}>
          <form onSubmit={(event) => void submit(event)} noValidate>
            <Form.Item
              label={t('enrol.centralUrl.label')}
              htmlFor="enrol-central-url"
              validateStatus={fieldErrors.centralUrl ? 'error' : undefined}
              help={fieldErrors.centralUrl}
              style={fieldItemStyle}
            >
              <Input
                id="enrol-central-url"
                data-testid="enrol-central-url"
                size="large"
                value={values.centralUrl}
                placeholder={t('enrol.centralUrl.placeholder')}
                onChange={(event) => edit('centralUrl', event.target.value)}
                inputMode="url"
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
                autoFocus
                disabled={submitting}
              />
            </Form.Item>

            <Form.Item
              label={t('enrol.code.label')}
              htmlFor="enrol-code"
              validateStatus={fieldErrors.code ? 'error' : undefined}
              help={fieldErrors.code ?? t('enrol.code.help')}
              style={fieldItemStyle}
            >
              <Input
                id="enrol-code"
                data-testid="enrol-code"
                size="large"
                value={values.code}
                placeholder={t('enrol.code.placeholder')}
                onChange={(event) => edit('code', formatCodeInput(event.target.value))}
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                maxLength={12}
                disabled={submitting}
                style={codeInputStyle}
              />
            </Form.Item>

            <Form.Item
              label={t('enrol.fingerprint.label')}
              htmlFor="enrol-fingerprint"
              validateStatus={fieldErrors.centralFingerprint ? 'error' : undefined}
              help={fieldErrors.centralFingerprint ?? t('enrol.fingerprint.help')}
              style={fieldItemStyle}
            >
              <Input
                id="enrol-fingerprint"
                data-testid="enrol-fingerprint"
                size="large"
                value={values.centralFingerprint}
                placeholder={t('enrol.fingerprint.placeholder')}
                onChange={(event) => edit('centralFingerprint', formatFingerprintInput(event.target.value))}
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                maxLength={100}
                disabled={submitting}
                style={fingerprintInputStyle}
              />
            </Form.Item>

            {submitError ? (
              <div style={{ marginBottom: 24 }}>
                <Alert data-testid="enrol-error" type="error" showIcon title={errorMessage(submitError.code, lang)} />
                <Typography.Text type="secondary" style={{ fontSize: 16 }}>
                  {t('enrol.errorCode', { code: submitError.code })}
                </Typography.Text>
              </div>
            ) : null}

            <Button
              data-testid="enrol-submit"
              type="primary"
              htmlType="submit"
              size="large"
              block
              loading={submitting}
              style={{ height: 68, fontSize: 26, marginTop: 8 }}
            >
              {t(submitting ? 'enrol.submitting' : 'enrol.submit')}
            </Button>
          </form>
        </Form>
      </div>
    </ScreenFrame>
  );
}

const cardStyle: CSSProperties = {
  width: 'min(720px, 100%)',
  boxSizing: 'border-box',
  padding: '32px 48px',
  borderRadius: 16,
  textAlign: 'left',
};
/*
 * antd swaps an item's bottom margin for its help line, which at 20px type leaves the help touching
 * the next label; a fixed margin below the help keeps the fields apart.
 */
const fieldItemStyle: CSSProperties = { marginBottom: 24 };
const codeInputStyle: CSSProperties = {
  fontFamily: '"Noto Sans Mono CJK SC", "DejaVu Sans Mono", ui-monospace, monospace',
  fontSize: 30,
  letterSpacing: '0.15em',
};
const fingerprintInputStyle: CSSProperties = {
  fontFamily: codeInputStyle.fontFamily,
  fontSize: 20,
  letterSpacing: '0.05em',
};
