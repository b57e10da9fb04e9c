import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

/**
 * The front camera for a kiosk or booth screen: opened on mount, shown in a <video>, stopped on
 * unmount; what went wrong is named so the screen can say it in Chinese and offer a retry.
 *
 * Frames are grabbed from the playing video into a canvas (`grabJpeg`) and sent to the trusted side
 * as base64 JPEG; nothing is detected here.
 */

export type CameraProblem = 'denied' | 'absent' | 'busy' | 'unsupported' | 'lost' | 'other';

export type CameraState = { status: 'starting' } | { status: 'live' } | { status: 'failed'; problem: CameraProblem };

export interface CameraOptions {
  width?: number;
  height?: number;
  facingMode?: 'user' | 'environment';
}

export interface Camera {
  /** Put on the <video muted playsInline> that shows the preview. */
  readonly videoRef: RefObject<HTMLVideoElement | null>;
  readonly state: CameraState;
  /** Ask for the camera again (after a denial, an unplugged camera…). */
  readonly retry: () => void;
}

/** getUserMedia's DOMException names → what the screen tells the person. */
export function cameraProblemOf(error: unknown): CameraProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'absent';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'other';
  }
}

/**
 * Opens the front camera and reports through `on` until the returned `close` runs. `close` stops the
 * tracks (a stream that arrives after it is stopped at once) and returns the stream, so the caller can
 * detach it from its <video> elements; `on.failed` is never called after `close`. Both camera hooks
 * (this one and useCameraStream) open the camera through it.
 */
export function openCamera(
  { width, height, facingMode }: Required<CameraOptions>,
  on: { opened: (stream: MediaStream, ctx: { cancelled: () => boolean; fail: (problem: CameraProblem) => void }) => unknown; failed: (problem: CameraProblem) => void },
): () => MediaStream | null {
  let cancelled = false;
  let stream: MediaStream | null = null;
  const fail = (problem: CameraProblem) => {
    if (!cancelled) on.failed(problem);
  };
  const close = () => {
    cancelled = true;
    for (const track of stream?.getTracks() ?? []) track.stop();
    return stream;
  };
  const mediaDevices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (!mediaDevices?.getUserMedia) {
    // Not a secure context, or no media support at all: nothing to retry without a technician.
    queueMicrotask(() => fail('unsupported'));
    return close;
  }
  mediaDevices
    .getUserMedia({ audio: false, video: { width: { ideal: width }, height: { ideal: height }, facingMode } })
    .then(async (opened) => {
      if (cancelled) {
        for (const track of opened.getTracks()) track.stop();
        return;
      }
      stream = opened;
      for (const track of opened.getVideoTracks()) track.addEventListener('ended', () => fail('lost'));
      await on.opened(opened, { cancelled: () => cancelled, fail });
    })
    .catch((error: unknown) => fail(cameraProblemOf(error)));
  return close;
}

export function useCamera({ width = 640, height = 480, facingMode = 'user' }: CameraOptions = {}): Camera {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const [state, setState] = useState<CameraState>({ status: 'starting' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const close = openCamera(
      { width, height, facingMode },
      {
        failed: (problem) => setState({ status: 'failed', problem }),
        opened: async (opened, { cancelled, fail }) => {
          const video = videoRef.current;
          if (!video) return fail('other');
          video.srcObject = opened;
          try {
            await video.play();
          } catch (error) {
            // play() is interrupted when the element is torn down; anything else is a real failure.
            if (!cancelled() && !(error instanceof DOMException && error.name === 'AbortError')) return fail('other');
          }
          if (!cancelled()) setState({ status: 'live' });
        },
      },
    );
    return () => {
      const stream = close();
      const video = videoRef.current;
      if (video && video.srcObject === stream) video.srcObject = null;
    };
  }, [width, height, facingMode, attempt]);

  const retry = useCallback(() => {
    setState({ status: 'starting' });
    setAttempt((n) => n + 1);
  }, []);

  return { videoRef, state, retry };
}

/**
 * The video's current frame as base64 JPEG (no `data:` prefix), at the video's own size, unmirrored
 * whatever the preview's CSS does. Null when the video has no frame yet.
 */
export function grabJpeg(video: HTMLVideoElement, canvas: HTMLCanvasElement, quality = 0.8): string | null {
  const { videoWidth: w, videoHeight: h } = video;
  if (!w || !h || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return null;
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.drawImage(video, 0, 0, w, h);
  const url = canvas.toDataURL('image/jpeg', quality);
  const comma = url.indexOf(',');
  // A canvas that cannot encode JPEG falls back to PNG; the services only take JPEG.
  if (!url.startsWith('data:image/jpeg') || comma < 0) return null;
  return url.slice(comma + 1);
}
