import { useCallback, useEffect, useRef, useState } from 'react';
import { openCamera, type CameraState } from './useCamera.dom.ts';

/**
 * The front camera for a screen whose preview moves: the stream is opened once for the owner's
 * lifetime and shown in whichever <video> elements carry `attach` as their ref, so a booth can show
 * it large on the login screen, small in the workspace's corner and large again for a re-check
 * without reopening the camera. (useCamera keeps one element for a screen that never changes.)
 *
 * `frameSource()` returns a playing attached element to grab frames from (see grabJpeg), or null.
 */
export interface CameraStream {
  /** Callback ref for each preview <video muted playsInline>. */
  readonly attach: (video: HTMLVideoElement | null) => (() => void) | undefined;
  readonly state: CameraState;
  readonly retry: () => void;
  readonly frameSource: () => HTMLVideoElement | null;
}

export function useCameraStream({ width = 640, height = 480 }: { width?: number; height?: number } = {}): CameraStream {
  const [state, setState] = useState<CameraState>({ status: 'starting' });
  const [attempt, setAttempt] = useState(0);
  const streamRef = useRef<MediaStream | null>(null);
  const videos = useRef(new Set<HTMLVideoElement>());

  const show = useCallback((video: HTMLVideoElement) => {
    const stream = streamRef.current;
    if (!stream || video.srcObject === stream) return;
    video.srcObject = stream;
    video.play().catch(() => {
      // Interrupted by an unmount or a new stream: the next attach plays it again.
    });
  }, []);

  useEffect(() => {
    const close = openCamera(
      { width, height, facingMode: 'user' },
      {
        failed: (problem) => setState({ status: 'failed', problem }),
        opened: (opened) => {
          streamRef.current = opened;
          for (const video of videos.current) show(video);
          setState({ status: 'live' });
        },
      },
    );
    return () => {
      const stream = close();
      if (streamRef.current === stream) streamRef.current = null;
      for (const video of videos.current) if (video.srcObject === stream) video.srcObject = null;
    };
  }, [width, height, attempt, show]);

  // React 19 calls the returned cleanup when that element goes, so any number of previews can share it.
  const attach = useCallback(
    (video: HTMLVideoElement | null) => {
      if (!video) return;
      videos.current.add(video);
      show(video);
      return () => {
        videos.current.delete(video);
      };
    },
    [show],
  );

  const frameSource = useCallback(() => {
    for (const video of videos.current) {
      if (video.isConnected && video.srcObject && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) return video;
    }
    return null;
  }, []);

  const retry = useCallback(() => {
    setState({ status: 'starting' });
    setAttempt((n) => n + 1);
  }, []);

  return { attach, state, retry, frameSource };
}
