import { Tag, theme } from 'antd';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import { useT } from '@kawei/shared/ui/i18n.dom.tsx';
import { formatSchedule } from './booth-view.ts';

/** Project code, title (open projects only: blind ones have none), schedule and the 暗标 tag. */
export function ProjectLines({ project, fontSize = 26 }: { project: BoothSession['project']; fontSize?: number }) {
  const { t, lang } = useT();
  const { token } = theme.useToken();
  if (!project) return null;
  const schedule = formatSchedule(project.startsAt, project.endsAt, lang);
  return (
    <div data-testid="booth-project" data-blind={project.blind ? 'true' : 'false'} style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 28px', alignItems: 'center', fontSize, color: token.colorText }}>
      <span data-testid="booth-project-code">{t('booth.project.code', { code: project.code })}</span>
      {project.title ? <span>{t('booth.project.title', { title: project.title })}</span> : null}
      {schedule ? <span>{t('booth.project.schedule', { schedule })}</span> : null}
      {project.blind ? (
        <Tag color="purple" style={{ fontSize: fontSize - 4, padding: '4px 12px', margin: 0 }}>
          {t('booth.project.blind')}
        </Tag>
      ) : null}
    </div>
  );
}
