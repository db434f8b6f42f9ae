import { useTranslation } from 'react-i18next';

/** ForbiddenNotice tells a user that their role may not use this page. */
export function ForbiddenNotice({ needed }: { needed: 'supervisor' | 'admin' }) {
  const { t } = useTranslation();
  return (
    <div className="alert alert--warning" role="status">
      <strong className="alert__title">{t('forbidden.title')}</strong>
      <span className="alert__detail">{t(`forbidden.${needed}`)}</span>
    </div>
  );
}
