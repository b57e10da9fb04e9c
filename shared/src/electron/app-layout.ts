/**
 * Where an Electron app's built pieces live, relative to its package directory (booth-client/,
 * gate-kiosk/, or the app.asar root once packaged). The esbuild script writes them, runSecureApp
 * loads them and electron-builder.yml packs them: one definition so the three cannot disagree.
 */
export const ELECTRON_OUT_DIR = 'dist-electron';
export const APP_LAYOUT = {
  mainBundle: `${ELECTRON_OUT_DIR}/app.main.cjs`,
  preloadBundle: `${ELECTRON_OUT_DIR}/app.preload.cjs`,
  /** Written by the renderer's Vite build. */
  rendererDir: 'dist/renderer',
} as const;
