import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../lib/format';
import type { FunnelReport } from '../../../lib/types';
import { formatConversion } from '../format';

export const WINDOW_DAYS = [7, 30, 90] as const;

interface Props {
  report: FunnelReport | undefined;
  days: number;
  /** Without it the period shows as text (TV mode needs no controls). */
  onDaysChange?: (days: number) => void;
}

/** FunnelTable shows per stage the clients now, cooling soon, cooled and the conversion over the period. */
export function FunnelTable({ report, days, onDaysChange }: Props) {
  const { t, i18n } = useTranslation();
  const headingId = useId();
  const selectId = useId();
  const lng = i18n.language;
  const stages = report?.stages ?? [];

  return (
    <section className="wallboard__section wallboard__funnel" aria-labelledby={headingId}>
      <div className="wallboard__section-head">
        <h2 id={headingId} className="wallboard__heading">
          {t('wallboard.funnel')}
        </h2>
        {onDaysChange ? (
          <span className="wallboard__window">
            <label htmlFor={selectId}>{t('wallboard.window')}</label>
            <select id={selectId} className="input select select--compact" value={days} onChange={(e) => onDaysChange(Number(e.target.value))}>
              {WINDOW_DAYS.map((d) => (
                <option key={d} value={d}>
                  {t('wallboard.days', { count: d })}
                </option>
              ))}
            </select>
          </span>
        ) : (
          <span className="wallboard__window muted">{t('wallboard.lastDays', { count: days })}</span>
        )}
      </div>
      <div className="table-wrap">
        <table className="table funnel-report" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col">{t('wallboard.stage')}</th>
              <th scope="col" className="num">
                {t('wallboard.clients')}
              </th>
              <th scope="col" className="num">
                {t('wallboard.coolingSoon')}
              </th>
              <th scope="col" className="num">
                {t('wallboard.cooled')}
              </th>
              <th scope="col" className="num" title={t('wallboard.conversionHelp')}>
                {t('wallboard.conversion')}
              </th>
            </tr>
          </thead>
          <tbody>
            {stages.map((s) => (
              <tr key={s.stage_id} className={`funnel-report__row funnel-report__row--${s.kind}`}>
                <th scope="row">{s.name}</th>
                <td className="num funnel-report__clients">{formatNumber(s.clients, lng)}</td>
                <td className={`num${s.cooling_soon > 0 ? ' funnel-report__soon' : ''}`}>{formatNumber(s.cooling_soon, lng)}</td>
                <td className={`num${s.cooled > 0 ? ' funnel-report__cooled' : ''}`}>{formatNumber(s.cooled, lng)}</td>
                <td className="num">
                  <span className="funnel-report__conversion">{formatConversion(s, lng)}</span>
                  {s.kind === 'open' && s.entered > 0 && (
                    <span className="funnel-report__detail muted">
                      {t('wallboard.conversionDetail', { advanced: formatNumber(s.advanced, lng), entered: formatNumber(s.entered, lng) })}
                    </span>
                  )}
                </td>
              </tr>
            ))}
            {report && stages.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  {t('wallboard.noStages')}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
