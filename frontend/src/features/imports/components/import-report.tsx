import { useTranslation } from 'react-i18next';
import type { Import } from '../../../lib/types';

const MAX_ERROR_ROWS = 500;

/** ImportReport is the outcome of a finished import: clients created, rows skipped and every error by line. */
export function ImportReport({ job }: { job: Import }) {
  const { t, i18n } = useTranslation();
  const nf = new Intl.NumberFormat(i18n.language);
  const failed = job.status === 'failed';
  const shown = job.errors.slice(0, MAX_ERROR_ROWS);
  return (
    <section className="import-report" aria-labelledby="import-report-title">
      <h2 id="import-report-title" className="section-title">
        {failed ? t('imports.report.failedTitle') : t('imports.report.doneTitle')}
      </h2>
      {job.message && (
        <div className={failed ? 'alert alert--error' : 'alert alert--info'} role={failed ? 'alert' : 'status'}>
          {job.message}
        </div>
      )}
      <dl className="counters">
        <div className="counter counter--success">
          <dt>{t('imports.report.created')}</dt>
          <dd>{nf.format(job.created)}</dd>
        </div>
        <div className="counter">
          <dt>{t('imports.report.skipped')}</dt>
          <dd>{nf.format(job.skipped)}</dd>
        </div>
        <div className={job.errors.length > 0 ? 'counter counter--danger' : 'counter'}>
          <dt>{t('imports.report.errorCount')}</dt>
          <dd>{nf.format(job.errors.length)}</dd>
        </div>
      </dl>
      <h3 id="import-errors-title" className="subsection-title">
        {t('imports.report.errors')}
      </h3>
      {job.errors.length === 0 ? (
        <p className="muted">{t('imports.report.noErrors')}</p>
      ) : (
        <>
          <div className="table-wrap table-wrap--scroll">
            <table className="table errors-table" aria-labelledby="import-errors-title">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    {t('imports.report.line')}
                  </th>
                  <th scope="col">{t('imports.report.field')}</th>
                  <th scope="col">{t('imports.report.error')}</th>
                  <th scope="col">{t('imports.report.value')}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e, i) => (
                  <tr key={`${e.line}-${e.field}-${i}`}>
                    <td className="num">{e.line}</td>
                    <td>{e.field ? t(`imports.fields.${e.field}`, { defaultValue: e.field }) : ''}</td>
                    <td>{e.error}</td>
                    <td className="mono">{e.value ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {job.errors.length > shown.length && (
            <p className="muted small">{t('imports.report.truncated', { shown: shown.length, total: job.errors.length })}</p>
          )}
        </>
      )}
    </section>
  );
}
