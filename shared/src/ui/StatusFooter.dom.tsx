import { Typography } from 'antd';
import { useT } from './i18n.dom.tsx';

/** Small print for the technician: which build runs here and which device the central knows it as. */
export function StatusFooter({ appVersion, deviceId }: { appVersion: string; deviceId?: string | null }) {
  const { t } = useT();
  const parts = [t('footer.version', { version: appVersion }), deviceId ? t('footer.device', { deviceId }) : t('footer.unenrolled')];
  return (
    <Typography.Text data-testid="status-footer" type="secondary" style={{ fontSize: 16 }}>
      {parts.join(' · ')}
    </Typography.Text>
  );
}
