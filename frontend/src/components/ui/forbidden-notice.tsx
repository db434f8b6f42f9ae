import type { ReactNode } from 'react';
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

interface ForbiddenPageProps {
  title: string;
  needed: 'supervisor' | 'admin';
  /** What the user may still see, under the notice. */
  children?: ReactNode;
}

/** ForbiddenPage is a page's title and the notice, in place of a page the user's role may not use. */
export function ForbiddenPage({ title, needed, children }: ForbiddenPageProps) {
  return (
    <div className="page">
      <div className="page__header">
        <h1 className="page__title">{title}</h1>
      </div>
      <ForbiddenNotice needed={needed} />
      {children}
    </div>
  );
}
