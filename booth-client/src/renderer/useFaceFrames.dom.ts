import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { BoothPhase, CameraFrameOutput } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { grabJpeg } from '@kawei/shared/ui/useCamera.dom.ts';
import { ERROR_FRAME_MS, INITIAL_FACE_STATE, applyFrame, type FaceState } from './booth-view.ts';

const JPEG_QUALITY = 0.8;

export interface FaceFrames {
  readonly face: FaceState;
  /** Why the last cameraFrame failed; null once one succeeds. */
  readonly error: ApiError | null;
}

/**
 * Sends camera frames to `cameraFrame` every `intervalMs` (null: none), one request in flight, like
 * the gate's loop. The answers' guidance and notices are kept for the screen; an answer whose phase
 * differs from the session's means a `session` event was missed, so `onPhase` is told.
 */
export function useFaceFrames(
  api: ApiConnection<BoothContract>['api'],
  frameSource: () => HTMLVideoElement | null,
  intervalMs: number | null,
  phase: BoothPhase | null,
  onPhase: (phase: BoothPhase) => void,
): FaceFrames {
  const [face, setFace] = useState<FaceState>(INITIAL_FACE_STATE);
  const [error, setError] = useState<ApiError | null>(null);
  const latest = useRef({ phase, onPhase });
  useEffect(() => {
    latest.current = { phase, onPhase };
  });

  const onOutput = useCallback((output: CameraFrameOutput) => {
    setFace((previous) => applyFrame(previous, output, Date.now()));
    const { phase: known, onPhase: report } = latest.current;
    if (known !== null && output.phase !== known) report(output.phase);
  }, []);

  useEffect(() => {
    if (intervalMs === null) {
      setFace((previous) => (previous.guidance ? { ...previous, guidance: null } : previous));
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const canvas = document.createElement('canvas');
    const tick = async () => {
      const started = performance.now();
      let failed = false;
      const video = frameSource();
      const image = video ? grabJpeg(video, canvas, JPEG_QUALITY) : null;
      if (image) {
        try {
          const output = await api.cameraFrame({ image, capturedAt: Date.now() });
          if (stopped) return;
          setError(null);
          onOutput(output);
        } catch (thrown) {
          if (stopped) return;
          failed = true;
          setError(toApiError(thrown));
        }
      }
      if (stopped) return;
      const elapsed = performance.now() - started;
      timer = setTimeout(() => void tick(), Math.max(0, (failed ? ERROR_FRAME_MS : intervalMs) - elapsed));
    };
    timer = setTimeout(() => void tick(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, frameSource, intervalMs, onOutput]);

  return { face, error };
}
