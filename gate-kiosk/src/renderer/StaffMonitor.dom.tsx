import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Spin, Tag, Tooltip, Typography, theme } from 'antd';
import type { GateContract } from '@kawei/shared/contract/gate.contract.ts';
import type { DeviceTile, GateAlert, GateMonitor, MonitorEntry } from '@kawei/shared/contract/gate-check.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage, formatElapsed } from '@kawei/shared/i18n/messages.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { LanguageToggle, useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { useNow } from '@kawei/shared/ui/LinkBadge.dom.tsx';
import { reasonLabelKey } from './kiosk-view.ts';
import { ManualOpenDialog } from './ManualOpenDialog.dom.tsx';

const POLL_MS = 1000;
/** The list shows the newest entries; older ones are in the sync log and at the central. */
const MAX_ENTRIES = 100;

/** getMonitor every POLL_MS, one request in flight; an expired session goes to `onStaffError`. */
function useMonitor(
  api: ApiConnection<GateContract>['api'],
  staffToken: string,
  onStaffError: (error: ApiError) => boolean,
): { monitor: GateMonitor | null; error: ApiError | null } {
  const [monitor, setMonitor] = useState<GateMonitor | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const handler = useRef(onStaffError);
  useEffect(() => {
    handler.current = onStaffError;
  });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const fresh = await api.getMonitor({ staffToken });
        if (stopped) return;
        setMonitor(fresh);
        setError(null);
      } catch (thrown) {
        if (stopped) return;
        const failure = toApiError(thrown);
        if (handler.current(failure)) return;
        setError(failure);
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    timer = setTimeout(() => void poll(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, staffToken, handler]);

  return { monitor, error };
}

/** Only data: image URLs are shown: nothing the services send can make this page fetch anything. */
function safeImage(url: string | null): string | null {
  return url && /^data:image\/(jpeg|png|webp);base64,/.test(url) ? url : null;
}

function clock(at: number): string {
  return new Date(at).toLocaleTimeString('zh-CN', { hour12: false });
}

/**
 * The gate staff's screen, over the kiosk (which keeps checking faces underneath): live entries with
 * the capture beside the enrolled photo and a masked name, alerts to acknowledge, device tiles,
 * today's count per room, and 手动开闸. Never a project: the contract carries none.
 */
export function StaffMonitor({
  api,
  staffToken,
  positionLabel,
  onLogout,
  onStaffError,
}: {
  api: ApiConnection<GateContract>['api'];
  staffToken: string;
  positionLabel: string;
  onLogout: () => void;
  onStaffError: (error: ApiError) => boolean;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const { monitor, error } = useMonitor(api, staffToken, onStaffError);
  const [manualOpen, setManualOpen] = useState(false);

  return (
    <div data-testid="staff-monitor" style={{ ...overlayStyle, background: token.colorBgLayout }}>
      <header style={{ ...headerStyle, background: token.colorBgContainer, borderColor: token.colorBorderSecondary }}>
        <div style={{ display: 'flex', flexDirection: 'column' }}>
          <Typography.Title level={2} style={{ margin: 0, fontSize: 32 }}>
            {t('gate.monitor.title')} · {positionLabel}
          </Typography.Title>
          <Typography.Text type="secondary" style={{ fontSize: 18 }}>
            {monitor?.rosterDate ? t('gate.monitor.rosterDate', { date: monitor.rosterDate }) : monitor ? t('gate.monitor.noRoster') : ''}
            {' · '}
            {t('gate.monitor.kioskRunning')}
          </Typography.Text>
        </div>
        <div style={{ display: 'flex', gap: 16, alignItems: 'center' }}>
          <Button data-testid="manual-open" type="primary" danger size="large" onClick={() => setManualOpen(true)} style={{ height: 64, fontSize: 26, minWidth: 180 }}>
            {t('gate.manual.button')}
          </Button>
          <LanguageToggle />
          <Button data-testid="staff-logout" size="large" onClick={onLogout} style={{ height: 56, minWidth: 120 }}>
            {t('gate.staff.logout')}
          </Button>
        </div>
      </header>

      {error ? (
        <Alert
          data-testid="monitor-error"
          data-code={error.code}
          type="warning"
          showIcon
          style={{ margin: '12px 24px 0' }}
          title={t('gate.monitor.refreshError', { error: errorMessage(error.code, lang) })}
        />
      ) : null}

      {monitor ? (
        <div style={bodyStyle}>
          <Section title={t('gate.monitor.entries')} style={{ gridArea: 'entries' }}>
            <EntryList entries={monitor.entries} />
          </Section>
          <div style={{ gridArea: 'side', display: 'flex', flexDirection: 'column', gap: 16, minHeight: 0, overflow: 'auto' }}>
            <Section title={t('gate.monitor.alerts')} style={sideSectionStyle}>
              <AlertList api={api} staffToken={staffToken} alerts={monitor.alerts} onStaffError={onStaffError} />
            </Section>
            <Section title={t('gate.monitor.devices')} style={sideSectionStyle}>
              <DeviceTiles devices={monitor.devices} />
            </Section>
            <Section title={t('gate.monitor.rooms')} style={sideSectionStyle}>
              <RoomCounts rooms={monitor.rooms} />
            </Section>
          </div>
        </div>
      ) : (
        <div style={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center', gap: 16 }}>
          {error ? null : (
            <>
              <Spin size="large" />
              <Typography.Text style={{ fontSize: 24 }}>{t('gate.monitor.loading')}</Typography.Text>
            </>
          )}
        </div>
      )}

      <ManualOpenDialog api={api} staffToken={staffToken} open={manualOpen} onClose={() => setManualOpen(false)} onStaffError={onStaffError} />
    </div>
  );
}

function Section({ title, children, style }: { title: string; children: ReactNode; style?: CSSProperties }) {
  const { token } = theme.useToken();
  return (
    <section style={{ ...sectionStyle, background: token.colorBgContainer, borderColor: token.colorBorderSecondary, ...style }}>
      <Typography.Title level={3} style={{ margin: '0 0 12px', fontSize: 24 }}>
        {title}
      </Typography.Title>
      {children}
    </section>
  );
}

const DECISION_COLOUR: Record<MonitorEntry['decision'], string> = { pass: 'success', refused: 'error', manual_open: 'warning' };

function EntryList({ entries }: { entries: readonly MonitorEntry[] }) {
  const { t } = useT();
  const { token } = theme.useToken();
  if (entries.length === 0) return <Typography.Text type="secondary">{t('gate.monitor.entries.empty')}</Typography.Text>;
  const newest = [...entries].sort((a, b) => b.at - a.at).slice(0, MAX_ENTRIES);
  return (
    <ol style={listStyle}>
      {newest.map((entry) => (
        <li
          key={entry.checkId}
          data-testid="monitor-entry"
          data-decision={entry.decision}
          data-reason={entry.reason ?? ''}
          data-check-id={entry.checkId}
          style={{ ...entryStyle, borderColor: token.colorBorderSecondary }}
        >
          <div style={{ display: 'flex', gap: 8 }}>
            <Thumb src={entry.capture} caption={t('gate.monitor.capture')} />
            <Thumb src={entry.enrolledPhoto} caption={t('gate.monitor.enrolled')} />
          </div>
          <div style={{ display: 'flex', flexDirection: 'column', gap: 4, minWidth: 0 }}>
            <div style={{ display: 'flex', gap: 12, alignItems: 'center', flexWrap: 'wrap' }}>
              <span style={{ fontVariantNumeric: 'tabular-nums', fontSize: 20 }}>{clock(entry.at)}</span>
              <Tag color={DECISION_COLOUR[entry.decision]} style={{ fontSize: 18, padding: '2px 10px' }}>
                {t(`gate.monitor.decision.${entry.decision}`)}
              </Tag>
              {entry.reason ? <span style={{ fontSize: 20, color: token.colorErrorText }}>{t(reasonLabelKey(entry.reason))}</span> : null}
            </div>
            {entry.decision === 'manual_open' && entry.maskedName === null ? null : (
              <div style={{ fontSize: 22, fontWeight: 600 }}>
                {entry.maskedName ?? t('gate.monitor.unknownPerson')}
                {entry.codename ? <span style={{ fontWeight: 400, marginLeft: 12 }}>{t('gate.monitor.codename', { codename: entry.codename })}</span> : null}
              </div>
            )}
            <div style={{ fontSize: 18, color: token.colorTextSecondary, display: 'flex', gap: 16, flexWrap: 'wrap' }}>
              {entry.seat ? <span>{t('gate.monitor.seat', { roomName: entry.seat.roomName, label: entry.seat.label })}</span> : null}
              {entry.similarity !== null ? <span>{t('gate.monitor.similarity', { percent: (entry.similarity * 100).toFixed(1) })}</span> : null}
              {entry.note ? <span>{t('gate.monitor.note', { note: entry.note })}</span> : null}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}

function Thumb({ src, caption }: { src: string | null; caption: string }) {
  const { t } = useT();
  const { token } = theme.useToken();
  const safe = safeImage(src);
  return (
    <figure style={{ margin: 0, textAlign: 'center' }}>
      {safe ? (
        <img src={safe} alt={caption} style={thumbStyle} />
      ) : (
        <div style={{ ...thumbStyle, background: token.colorFillTertiary, display: 'flex', alignItems: 'center', justifyContent: 'center', fontSize: 14 }}>
          {t('gate.monitor.noPhoto')}
        </div>
      )}
      <figcaption style={{ fontSize: 14, color: token.colorTextSecondary }}>{caption}</figcaption>
    </figure>
  );
}

function AlertList({
  api,
  staffToken,
  alerts,
  onStaffError,
}: {
  api: ApiConnection<GateContract>['api'];
  staffToken: string;
  alerts: readonly GateAlert[];
  onStaffError: (error: ApiError) => boolean;
}) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const { message } = AntApp.useApp();
  // Acknowledged here but not yet in a poll: shown as done at once.
  const [acking, setAcking] = useState<ReadonlySet<string>>(new Set());
  const [acked, setAcked] = useState<ReadonlySet<string>>(new Set());

  if (alerts.length === 0) return <Typography.Text type="secondary">{t('gate.monitor.alerts.empty')}</Typography.Text>;
  const sorted = [...alerts].sort((a, b) => Number(a.acknowledged || acked.has(a.alertId)) - Number(b.acknowledged || acked.has(b.alertId)) || b.at - a.at);

  const ack = async (alertId: string) => {
    setAcking((s) => new Set(s).add(alertId));
    try {
      await api.ackAlert({ staffToken, alertId });
      setAcked((s) => new Set(s).add(alertId));
    } catch (thrown) {
      const error = toApiError(thrown);
      if (!onStaffError(error)) void message.error(errorMessage(error.code, lang));
    } finally {
      setAcking((s) => {
        const next = new Set(s);
        next.delete(alertId);
        return next;
      });
    }
  };

  return (
    <ul style={listStyle}>
      {sorted.map((alert) => {
        const done = alert.acknowledged || acked.has(alert.alertId);
        const label =
          alert.kind === 'device_down' && alert.device ? t('gate.monitor.alert.device', { device: alert.device }) : t(reasonLabelKey(alert.kind));
        return (
          <li
            key={alert.alertId}
            data-testid="monitor-alert"
            data-kind={alert.kind}
            data-alert-id={alert.alertId}
            data-acknowledged={done ? 'true' : 'false'}
            style={{
              ...alertStyle,
              borderColor: done ? token.colorBorderSecondary : token.colorErrorBorder,
              background: done ? 'transparent' : token.colorErrorBg,
            }}
          >
            <span style={{ fontVariantNumeric: 'tabular-nums', fontSize: 18 }}>{clock(alert.at)}</span>
            <span style={{ flex: 1, fontSize: 20, fontWeight: done ? 400 : 600 }}>{label}</span>
            {done ? (
              <Typography.Text type="secondary">{t('gate.monitor.acked')}</Typography.Text>
            ) : (
              <Button data-testid="monitor-alert-ack" type="primary" loading={acking.has(alert.alertId)} onClick={() => void ack(alert.alertId)} style={{ minWidth: 96 }}>
                {t('gate.monitor.ack')}
              </Button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

type TileTone = 'ok' | 'warn' | 'bad' | 'off';
const TONE: Record<DeviceTile['state'], TileTone> = { up: 'ok', connecting: 'warn', degraded: 'warn', down: 'bad', closed: 'off', absent: 'off' };

function DeviceTiles({ devices }: { devices: readonly DeviceTile[] }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const now = useNow();
  const colours: Record<TileTone, { bg: string; border: string; text: string }> = {
    ok: { bg: token.colorSuccessBg, border: token.colorSuccessBorder, text: token.colorSuccessTextActive },
    warn: { bg: token.colorWarningBg, border: token.colorWarningBorder, text: token.colorWarningTextActive },
    bad: { bg: token.colorErrorBg, border: token.colorError, text: token.colorErrorTextActive },
    off: { bg: token.colorFillQuaternary, border: token.colorBorder, text: token.colorTextSecondary },
  };
  return (
    <div style={tilesStyle}>
      {devices.map((tile) => {
        const c = colours[TONE[tile.state]];
        return (
          <Tooltip key={`${tile.kind}:${tile.device}`} trigger={['hover', 'click']} title={tile.error ?? t('gate.monitor.device.noError')}>
            <div
              data-testid={`device-tile-${tile.kind}`}
              data-state={tile.state}
              data-device={tile.device}
              role="button"
              tabIndex={0}
              style={{ ...tileStyle, background: c.bg, borderColor: c.border, color: c.text }}
            >
              <span style={{ fontSize: 20, fontWeight: 700 }}>{t(`gate.device.kind.${tile.kind}`)}</span>
              <span style={{ fontSize: 14, opacity: 0.8, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{tile.device}</span>
              <span style={{ fontSize: 20 }}>{t(`gate.device.state.${tile.state}`)}</span>
              {tile.since !== null ? (
                <span style={{ fontSize: 14 }}>{t('gate.monitor.device.since', { ago: formatElapsed(now - tile.since, lang) })}</span>
              ) : null}
            </div>
          </Tooltip>
        );
      })}
    </div>
  );
}

function RoomCounts({ rooms }: { rooms: GateMonitor['rooms'] }) {
  const { t } = useT();
  const { token } = theme.useToken();
  if (rooms.length === 0) return <Typography.Text type="secondary">{t('gate.monitor.rooms.empty')}</Typography.Text>;
  return (
    <ul style={listStyle}>
      {rooms.map((room) => (
        <li
          key={room.roomId}
          data-testid={`room-count-${room.roomId}`}
          data-expected={room.expected}
          data-arrived={room.arrived}
          data-missing={room.missing}
          style={{ ...roomStyle, borderColor: token.colorBorderSecondary }}
        >
          <span style={{ flex: 1, fontSize: 20, fontWeight: 600 }}>{room.roomName}</span>
          <span style={{ fontSize: 18 }}>{t('gate.monitor.room.expected', { n: room.expected })}</span>
          <span style={{ fontSize: 18, color: token.colorSuccessText }}>{t('gate.monitor.room.arrived', { n: room.arrived })}</span>
          <span style={{ fontSize: 18, color: room.missing > 0 ? token.colorErrorText : token.colorTextSecondary, fontWeight: room.missing > 0 ? 700 : 400 }}>
            {t('gate.monitor.room.missing', { n: room.missing })}
          </span>
        </li>
      ))}
    </ul>
  );
}

const overlayStyle: CSSProperties = { position: 'fixed', inset: 0, zIndex: 100, display: 'flex', flexDirection: 'column', textAlign: 'left' };
const headerStyle: CSSProperties = {
  display: 'flex',
  justifyContent: 'space-between',
  alignItems: 'center',
  gap: 16,
  padding: '12px 24px',
  borderBottom: '1px solid',
  flexWrap: 'wrap',
};
const bodyStyle: CSSProperties = {
  flex: 1,
  minHeight: 0,
  display: 'grid',
  gridTemplateColumns: 'minmax(0, 3fr) minmax(0, 2fr)',
  gridTemplateAreas: '"entries side"',
  gap: 16,
  padding: 16,
};
const sectionStyle: CSSProperties = { border: '1px solid', borderRadius: 12, padding: 16, overflow: 'auto', minHeight: 0 };
// The side column scrolls as a whole; its sections keep their natural height.
const sideSectionStyle: CSSProperties = { flex: 'none', overflow: 'visible' };
const listStyle: CSSProperties = { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: 8 };
const entryStyle: CSSProperties = { display: 'flex', gap: 16, alignItems: 'center', borderBottom: '1px solid', paddingBottom: 8 };
const thumbStyle: CSSProperties = { width: 96, height: 96, objectFit: 'cover', borderRadius: 8, display: 'block' };
const alertStyle: CSSProperties = { display: 'flex', gap: 12, alignItems: 'center', border: '1px solid', borderRadius: 8, padding: '8px 12px' };
const tilesStyle: CSSProperties = { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))', gap: 10 };
const tileStyle: CSSProperties = { display: 'flex', flexDirection: 'column', gap: 2, border: '2px solid', borderRadius: 10, padding: '10px 12px', cursor: 'pointer', minHeight: 110 };
const roomStyle: CSSProperties = { display: 'flex', gap: 16, alignItems: 'center', borderBottom: '1px solid', padding: '6px 0' };
