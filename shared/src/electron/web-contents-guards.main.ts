import type { Session, WebContents } from 'electron';
import { isDeviceAccessGranted, isPermissionGranted } from './secure-policy.ts';

/**
 * Applied to every WebContents the app ever creates (app 'web-contents-created'): the kiosk shows
 * one page and never leaves it. No navigation of the page or of any frame in it (will-navigate covers
 * only the main frame; will-frame-navigate covers iframes too), no redirects, no pop-ups, no
 * <webview>, no Bluetooth device chooser.
 */
export function lockDownWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('select-bluetooth-device', (event, _devices, callback) => {
    event.preventDefault();
    callback('');
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/**
 * Only camera/microphone, only for the app origin (see isPermissionGranted); everything else is denied.
 * WebHID, Web Serial and WebUSB: no device is ever granted to the page and every chooser is cancelled
 * (the gate's serial devices are driven by the services in the main process, not by the renderer).
 */
export function restrictPermissions(session: Session): void {
  session.setDevicePermissionHandler((details) => isDeviceAccessGranted({ deviceType: details.deviceType, origin: details.origin }));
  session.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback(null);
  });
  session.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  session.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
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
