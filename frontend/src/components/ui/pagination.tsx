import { useTranslation } from 'react-i18next';

interface PaginationProps {
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
  label?: string;
}

/** Pagination shows "1–50 of 312" with previous and next buttons. */
export function Pagination({ page, perPage, total, onPage, label }: PaginationProps) {
  const { t, i18n } = useTranslation();
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const from = total === 0 ? 0 : (page - 1) * perPage + 1;
  const to = Math.min(total, page * perPage);
  const nf = new Intl.NumberFormat(i18n.language);
  return (
    <nav className="pagination" aria-label={label ?? t('pagination.label')}>
      <span className="pagination__range" aria-live="polite">
        {t('pagination.range', { from: nf.format(from), to: nf.format(to), total: nf.format(total) })}
      </span>
      <button type="button" className="btn btn--secondary btn--small" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        {t('pagination.previous')}
      </button>
      <button
        type="button"
        className="btn btn--secondary btn--small"
        onClick={() => onPage(page + 1)}
        disabled={page >= lastPage}
      >
        {t('pagination.next')}
      </button>
    </nav>
  );
}
