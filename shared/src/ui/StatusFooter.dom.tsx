import { Typography } from 'antd';
import type { SyncSummaryView } from '../contract/device-status.ts';
import { useT } from './i18n.dom.tsx';

/**
 * Small print for the technician: which build runs here, which device the central knows it as, and
 * whether its records have reached the central (they are safe on the device either way).
 */
export function StatusFooter({
  appVersion,
  deviceId,
  sync,
}: {
  appVersion: string;
  deviceId?: string | null;
  sync?: SyncSummaryView;
}) {
  const { t } = useT();
  const parts = [t('footer.version', { version: appVersion }), deviceId ? t('footer.device', { deviceId }) : t('footer.unenrolled')];
  if (sync) {
    if (sync.state === 'refused') parts.push(t('footer.syncRefused'));
    else parts.push(sync.pending > 0 ? t('footer.pending', { count: String(sync.pending) }) : t('footer.synced'));
  }
  return (
    <Typography.Text data-testid="status-footer" data-pending={sync?.pending ?? 0} type="secondary" style={{ fontSize: 16 }}>
      {parts.join(' · ')}
    </Typography.Text>
  );
}
