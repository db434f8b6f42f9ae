import { useTranslation } from 'react-i18next';
import type { Import } from '../../../lib/types';

/** ImportProgress is the progress bar of a running import: rows processed out of all rows. */
export function ImportProgress({ job }: { job: Import }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const max = Math.max(job.total_rows, 1);
  const now = Math.min(job.processed, max);
  const percent = Math.round((now / max) * 100);
  const text = t('imports.progress.text', { processed: nf.format(job.processed), total: nf.format(job.total_rows) });
  return (
    <div className="import-progress">
      <div
        className="progress"
        role="progressbar"
        aria-label={t('imports.progress.label')}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={text}
      >
        <div className="progress__bar" style={{ width: `${percent}%` }} />
      </div>
      <p className="muted" aria-live="polite">
        {text} · {percent}%
      </p>
    </div>
  );
}
