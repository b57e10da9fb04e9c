import { useState, type CSSProperties } from 'react';
import { Button, theme } from 'antd';
import { useT } from './i18n.dom.tsx';

/**
 * An on-screen numeric keypad for a PIN: touch screens without a keyboard. Large keys laid out like
 * a phone (1 2 3 at the top), the PIN shown as dots only, 确定 enabled once `minLength` digits are in.
 * The PIN lives in this component's state until it is submitted, then it is cleared.
 */
export function PinPad({
  minLength = 4,
  maxLength = 8,
  busy = false,
  onSubmit,
  onInput,
}: {
  minLength?: number;
  maxLength?: number;
  /** While the PIN is being checked: keys are disabled, 确定 spins. */
  busy?: boolean;
  onSubmit: (pin: string) => void;
  /** Any key pressed, e.g. to clear a previous error or restart an idle timer. */
  onInput?: () => void;
}) {
  const { t } = useT();
  const { token } = theme.useToken();
  const [pin, setPin] = useState('');

  const press = (digit: string) => {
    onInput?.();
    setPin((current) => (current.length >= maxLength ? current : current + digit));
  };
  const backspace = () => {
    onInput?.();
    setPin((current) => current.slice(0, -1));
  };
  const clear = () => {
    onInput?.();
    setPin('');
  };
  const submit = () => {
    if (pin.length < minLength || busy) return;
    onSubmit(pin);
    setPin('');
  };

  const key = (label: string, testId: string, onClick: () => void, extra?: CSSProperties) => (
    <Button data-testid={testId} size="large" disabled={busy} onClick={onClick} style={{ ...keyStyle, ...extra }}>
      {label}
    </Button>
  );

  return (
    <div data-testid="pinpad" style={padStyle}>
      <div
        data-testid="pinpad-display"
        data-length={pin.length}
        aria-live="polite"
        aria-label={t('pinpad.entered', { count: pin.length })}
        style={{ ...displayStyle, borderColor: token.colorBorder, background: token.colorBgContainer }}
      >
        {Array.from({ length: Math.max(pin.length, minLength) }, (_, i) => (
          <span
            key={i}
            aria-hidden
            style={{ ...dotStyle, background: i < pin.length ? token.colorText : 'transparent', borderColor: token.colorTextQuaternary }}
          />
        ))}
      </div>
      <div style={gridStyle}>
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d, `pinpad-${d}`, () => press(d)))}
        {key(t('pinpad.clear'), 'pinpad-clear', clear, smallLabelStyle)}
        {key('0', 'pinpad-0', () => press('0'))}
        {key(`⌫ ${t('pinpad.backspace')}`, 'pinpad-backspace', backspace, smallLabelStyle)}
      </div>
      <Button
        data-testid="pinpad-ok"
        type="primary"
        size="large"
        block
        loading={busy}
        disabled={pin.length < minLength}
        onClick={submit}
        style={{ height: 'clamp(64px, 10vh, 80px)', fontSize: 32 }}
      >
        {t('pinpad.ok')}
      </Button>
    </div>
  );
}

const padStyle: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 16, width: 'min(420px, 90vw)' };
const displayStyle: CSSProperties = {
  display: 'flex',
  justifyContent: 'center',
  gap: 16,
  height: 72,
  alignItems: 'center',
  border: '2px solid',
  borderRadius: 12,
};
const dotStyle: CSSProperties = { width: 22, height: 22, borderRadius: '50%', border: '2px solid' };
const gridStyle: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 12 };
const keyStyle: CSSProperties = { height: 'clamp(64px, 10vh, 88px)', fontSize: 40, fontWeight: 600 };
const smallLabelStyle: CSSProperties = { fontSize: 22, fontWeight: 400 };
