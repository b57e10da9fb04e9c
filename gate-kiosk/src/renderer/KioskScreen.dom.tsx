import { useCallback, useEffect, useRef, useState, type CSSProperties, type ReactNode, type RefObject } from 'react';
import { Button, Spin, Typography, theme } from 'antd';
import type { GateContract } from '@kawei/shared/contract/gate.contract.ts';
import type { CheckOutcome } from '@kawei/shared/contract/gate-check.ts';
import type { LinkStatus } from '@kawei/shared/contract/device-status.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { errorMessage, type MessageKey } from '@kawei/shared/i18n/messages.ts';
import { toApiError, useEvent, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { LinkBadge, useNow } from '@kawei/shared/ui/LinkBadge.dom.tsx';
import { ScreenFrame } from '@kawei/shared/ui/ScreenFrame.dom.tsx';
import { grabJpeg, useCamera, type CameraProblem, type CameraState } from '@kawei/shared/ui/useCamera.dom.ts';
import { INITIAL_KIOSK_STATE, applyOutcome, guidanceText, kioskView, refusalText, type Decision, type Guidance, type KioskState } from './kiosk-view.ts';

/** At most ~5 frames a second, one request in flight. */
const FRAME_INTERVAL_MS = 200;
/** After a failed call (services not ready, engine loading…), ask less often. */
const ERROR_INTERVAL_MS = 1000;
const JPEG_QUALITY = 0.8;

const CAMERA_TEXT: Record<CameraProblem, MessageKey> = {
  denied: 'gate.camera.denied',
  absent: 'gate.camera.absent',
  busy: 'gate.camera.busy',
  unsupported: 'gate.camera.unsupported',
  lost: 'gate.camera.lost',
  other: 'gate.camera.busy',
};

/**
 * Sends the camera's frames to `checkFace` while the camera is live: one request at a time, no more
 * than one every FRAME_INTERVAL_MS. Each outcome goes to `onOutcome`; a failed call to `onError`
 * (null again once a call succeeds).
 */
function useFaceCheckLoop(
  api: ApiConnection<GateContract>['api'],
  video: RefObject<HTMLVideoElement | null>,
  live: boolean,
  onOutcome: (outcome: CheckOutcome) => void,
  onError: (error: ApiError | null) => void,
): void {
  const handlers = useRef({ onOutcome, onError });
  useEffect(() => {
    handlers.current = { onOutcome, onError };
  });

  useEffect(() => {
    if (!live) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const canvas = document.createElement('canvas');
    const tick = async () => {
      const started = performance.now();
      let failed = false;
      const element = video.current;
      const image = element ? grabJpeg(element, canvas, JPEG_QUALITY) : null;
      if (image) {
        try {
          const result = await api.checkFace({ image, capturedAt: Date.now() });
          if (stopped) return;
          handlers.current.onError(null);
          handlers.current.onOutcome(result.outcome);
        } catch (error) {
          if (stopped) return;
          failed = true;
          handlers.current.onError(toApiError(error));
        }
      }
      if (stopped) return;
      const elapsed = performance.now() - started;
      timer = setTimeout(() => void tick(), Math.max(0, (failed ? ERROR_INTERVAL_MS : FRAME_INTERVAL_MS) - elapsed));
    };
    timer = setTimeout(() => void tick(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, video, live]);
}

/**
 * The expert's screen at an enrolled gate: which gate this is, the live camera, one big instruction
 * under it, and, after a decision, a full-screen card: green with the room and booth, or red with
 * the reason. Never a name: the services send none.
 */
export function KioskScreen({
  client,
  positionLabel,
  context,
  link,
  footer,
  corner,
}: {
  client: ApiConnection<GateContract>;
  positionLabel: string;
  context: string | null;
  link: LinkStatus;
  footer: ReactNode;
  /** The discreet staff button, top-left. */
  corner?: ReactNode;
}) {
  const { token } = theme.useToken();
  const { videoRef, state: cameraState, retry: retryCamera } = useCamera({ width: 640, height: 480, facingMode: 'user' });
  const [state, setState] = useState<KioskState>(INITIAL_KIOSK_STATE);
  const [checkError, setCheckError] = useState<ApiError | null>(null);
  const now = useNow(250);

  const onOutcome = useCallback((outcome: CheckOutcome) => {
    const at = Date.now();
    setState((previous) => applyOutcome(previous, outcome, at));
  }, []);
  useFaceCheckLoop(client.api, videoRef, cameraState.status === 'live', onOutcome, setCheckError);

  // Decisions made on another path (ID card first, a manual open) arrive as events.
  const subscribeCheck = useCallback((listener: (payload: { outcome: CheckOutcome }) => void) => client.on('check', listener), [client]);
  useEvent(subscribeCheck, (payload) => onOutcome(payload.outcome));

  const view = kioskView(state, now);

  return (
    <ScreenFrame testId="idle-screen" footer={footer}>
      <div data-testid="gate-kiosk" style={columnStyle}>
        <div>
          {context ? (
            <Typography.Text type="secondary" style={{ display: 'block', fontSize: 28 }}>
              {context}
            </Typography.Text>
          ) : null}
          <Typography.Title level={1} data-testid="position-label" style={positionStyle}>
            {positionLabel}
          </Typography.Title>
        </div>

        <div style={{ ...cameraBoxStyle, background: token.colorFillSecondary, borderColor: token.colorBorder }}>
          <video
            ref={videoRef}
            data-testid="gate-camera"
            data-state={cameraState.status}
            muted
            playsInline
            autoPlay
            // Mirrored like a looking-glass, so "turn left" feels natural; frames are sent unmirrored.
            style={{ ...videoStyle, visibility: cameraState.status === 'live' ? 'visible' : 'hidden' }}
          />
          {cameraState.status !== 'live' ? <CameraNotice state={cameraState} onRetry={retryCamera} /> : null}
        </div>

        {cameraState.status === 'live' ? (
          <GuidancePanel guidance={view.kind === 'guidance' ? view.guidance : null} checkError={checkError} />
        ) : null}

        <LinkBadge link={link} />
      </div>
      {corner ? <div style={cornerStyle}>{corner}</div> : null}
      {view.kind === 'decision' ? <DecisionCard decision={view.decision} /> : null}
    </ScreenFrame>
  );
}

function CameraNotice({ state, onRetry }: { state: Exclude<CameraState, { status: 'live' }>; onRetry: () => void }) {
  const { t } = useT();
  const { token } = theme.useToken();
  if (state.status === 'starting') {
    return (
      <div data-testid="gate-camera-starting" style={noticeStyle}>
        <Spin size="large" />
        <Typography.Text style={{ fontSize: 28 }}>{t('gate.camera.starting')}</Typography.Text>
      </div>
    );
  }
  return (
    <div data-testid="gate-camera-error" data-problem={state.problem} role="alert" style={noticeStyle}>
      <Typography.Text style={{ fontSize: 32, color: token.colorErrorText, fontWeight: 600 }}>{t(CAMERA_TEXT[state.problem])}</Typography.Text>
      <Button data-testid="gate-camera-retry" type="primary" size="large" onClick={onRetry} style={{ height: 72, fontSize: 28, minWidth: 280 }}>
        {t('gate.camera.retry')}
      </Button>
    </div>
  );
}

function GuidancePanel({ guidance, checkError }: { guidance: Guidance | null; checkError: ApiError | null }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  const challenge = guidance?.quality === null ? guidance.challenge : null;
  const percent = Math.round((guidance?.progress ?? 0) * 100);
  const matching = guidance !== null && guidance.quality === null && guidance.challenge === null;
  return (
    <div
      data-testid="gate-guidance"
      data-quality={guidance?.quality ?? ''}
      data-challenge={challenge ?? ''}
      data-card-read={guidance?.cardRead ? 'true' : 'false'}
      role="status"
      aria-live="polite"
      style={guidanceStyle}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 24, justifyContent: 'center' }}>
        {matching ? <Spin size="large" /> : null}
        <span style={{ fontSize: 'clamp(36px, 4.2vw, 72px)', fontWeight: 700, lineHeight: 1.2 }}>{guidanceText(guidance, t)}</span>
      </div>
      {challenge ? (
        <div
          data-testid="gate-liveness-progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          style={{ ...progressTrackStyle, background: token.colorFillSecondary }}
        >
          <div style={{ ...progressBarStyle, width: `${percent}%`, background: token.colorPrimary }} />
        </div>
      ) : null}
      {guidance?.cardRead ? <span style={{ fontSize: 30, color: token.colorPrimaryText }}>{t('gate.kiosk.cardRead')}</span> : null}
      {checkError ? (
        <span style={{ fontSize: 24, color: token.colorWarningText }}>{t('gate.kiosk.checkError', { error: errorMessage(checkError.code, lang) })}</span>
      ) : null}
    </div>
  );
}

/** Full screen, above everything but the language toggle's corner: the one thing to read. */
function DecisionCard({ decision }: { decision: Decision }) {
  const { t } = useT();
  const { token } = theme.useToken();
  if (decision.kind === 'pass') {
    return (
      <div
        data-testid="gate-pass"
        data-check-id={decision.checkId}
        data-room-number={decision.seat.roomNumber}
        data-seat-label={decision.seat.label}
        role="alert"
        style={{ ...cardStyle, background: token.colorSuccess }}
      >
        <div style={cardTitleStyle}>✓ {t('gate.pass.title')}</div>
        <div style={{ fontSize: 'clamp(64px, 9vw, 168px)', fontWeight: 800, lineHeight: 1.15 }}>{t('gate.pass.room', { room: decision.seat.roomNumber })}</div>
        <div style={{ fontSize: 'clamp(80px, 12vw, 240px)', fontWeight: 800, lineHeight: 1.1 }}>{t('gate.pass.booth', { label: decision.seat.label })}</div>
      </div>
    );
  }
  return (
    <div
      data-testid="gate-refused"
      data-check-id={decision.checkId}
      data-reason={decision.reason}
      role="alert"
      style={{ ...cardStyle, background: token.colorError }}
    >
      <div style={cardTitleStyle}>✕ {t('gate.refused.title')}</div>
      <div style={{ fontSize: 'clamp(48px, 6vw, 120px)', fontWeight: 800, lineHeight: 1.25, maxWidth: '90vw' }}>{refusalText(decision, t)}</div>
      {decision.reason === 'id_card_mismatch' ? <div style={{ fontSize: 36 }}>{t('gate.kiosk.cardHint')}</div> : null}
    </div>
  );
}

const columnStyle: CSSProperties = { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 16, width: '100%' };
const positionStyle: CSSProperties = { margin: 0, fontSize: 'clamp(36px, 4.5vw, 80px)', lineHeight: 1.15, fontWeight: 700 };
const cameraBoxStyle: CSSProperties = {
  position: 'relative',
  // 4:3, as large as the screen allows with the title and the instruction around it.
  width: 'min(90vw, calc((100vh - 480px) * 4 / 3))',
  minWidth: 320,
  aspectRatio: '4 / 3',
  border: '3px solid',
  borderRadius: 20,
  overflow: 'hidden',
};
const videoStyle: CSSProperties = { width: '100%', height: '100%', objectFit: 'cover', transform: 'scaleX(-1)', display: 'block' };
const noticeStyle: CSSProperties = {
  position: 'absolute',
  inset: 0,
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 28,
  padding: 32,
};
const guidanceStyle: CSSProperties = { display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 12, minHeight: 96 };
const progressTrackStyle: CSSProperties = { width: 'min(720px, 80vw)', height: 20, borderRadius: 10, overflow: 'hidden' };
const progressBarStyle: CSSProperties = { height: '100%', transition: 'width 200ms linear' };
// Top-left, mirroring the language toggle: clear of the footer and of what the expert reads.
// Above the result cards: a refusal is exactly when staff are called to the kiosk.
const cornerStyle: CSSProperties = { position: 'fixed', left: 24, top: 24, zIndex: 60 };
const cardStyle: CSSProperties = {
  position: 'fixed',
  inset: 0,
  zIndex: 50,
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 32,
  padding: 48,
  color: '#fff',
  textAlign: 'center',
};
const cardTitleStyle: CSSProperties = { fontSize: 'clamp(40px, 4vw, 72px)', fontWeight: 700, opacity: 0.95 };
