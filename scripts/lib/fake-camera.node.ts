/**
 * A fake camera for Chromium: a y4m video made from a still photo with ffmpeg, for
 * `--use-file-for-fake-video-capture`. The photo is scaled to fill most of the frame height and
 * centred on grey, as a face stands in front of a kiosk camera. Chromium loops the file.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

export interface FakeCameraOptions {
  width?: number;
  height?: number;
  seconds?: number;
  fps?: number;
  /** Height of the photo inside the frame, as a share of the frame height. */
  fill?: number;
}

function framing(o: FakeCameraOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const photoHeight = Math.round(height * (o.fill ?? 0.8)) & ~1;
  return `scale=-2:${photoHeight},pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=gray`;
}

export function makeFakeCameraY4m(photo: string, out: string, o: FakeCameraOptions = {}): string {
  execFileSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', photo, '-t', String(o.seconds ?? 3), '-r', String(o.fps ?? 15), '-vf', `${framing(o)},format=yuv420p`, '-f', 'yuv4mpegpipe', out],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return out;
}

/** One camera frame as the kiosk's renderer would send it: the same framing, as a JPEG. */
export function makeCameraFrameJpeg(photo: string, out: string, o: FakeCameraOptions = {}): string {
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', photo, '-vf', framing(o), '-frames:v', '1', '-q:v', '3', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return out;
}
