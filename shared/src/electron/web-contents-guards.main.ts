import type { Session, WebContents } from 'electron';
import { isPermissionGranted } from './secure-policy.ts';

/**
 * Applied to every WebContents the app ever creates (app 'web-contents-created'): the kiosk shows
 * one page and never leaves it. No navigation, no redirects, no pop-ups, no <webview>.
 */
export function lockDownWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Only camera/microphone, only for the app origin (see isPermissionGranted); everything else is denied. */
export function restrictPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    const securityOrigin = 'securityOrigin' in details ? details.securityOrigin : undefined;
    callback(
      isPermissionGranted({
        permission,
        origins: [details.requestingUrl, securityOrigin],
        isMainFrame: details.isMainFrame,
        mediaTypes,
      }),
    );
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionGranted({
      permission,
      origins: [requestingOrigin, details.securityOrigin, details.requestingUrl],
      isMainFrame: details.isMainFrame,
      mediaTypes: [details.mediaType],
    }),
  );
}
