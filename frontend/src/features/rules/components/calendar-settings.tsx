import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { TextField } from '../../../components/ui/form-field';
import { useToast } from '../../../components/ui/toast';
import { useFormErrors } from '../../../lib/use-form-errors';
import { updateCalendar, type Calendar, type Holiday, type WorkingHours } from '../api/rules-api';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const FIELDS = ['time_zone', 'hours', 'holidays'] as const;

interface Day {
  on: boolean;
  opens: string;
  closes: string;
}

function daysOf(cal: Calendar): Record<number, Day> {
  const out: Record<number, Day> = {};
  for (const d of WEEKDAYS) {
    const h = cal.hours.find((x) => x.weekday === d);
    out[d] = h ? { on: true, opens: h.opens, closes: h.closes } : { on: false, opens: '09:00', closes: '18:00' };
  }
  return out;
}

/** timeZones are the browser's IANA zones, for the time zone field's suggestions. */
function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/**
 * CalendarSettings edits the organisation's working calendar: its time
 * zone, the working hours of each weekday and the holidays. Cooling
 * periods count on it; saving re-times every client at once.
 */
export function CalendarSettings({ calendar, onSaved }: { calendar: Calendar; onSaved: (cal: Calendar) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [zone, setZone] = useState(calendar.time_zone);
  const [days, setDays] = useState(() => daysOf(calendar));
  const [holidays, setHolidays] = useState<Holiday[]>(calendar.holidays);
  const [newDate, setNewDate] = useState('');
  const [newName, setNewName] = useState('');
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const setDay = (d: number, patch: Partial<Day>) => setDays((old) => ({ ...old, [d]: { ...old[d]!, ...patch } }));

  const addHoliday = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(newDate)) {
      setFieldErrors({ holidays: t('rulesEngine.calendar.errors.date') });
      return;
    }
    if (holidays.some((h) => h.date === newDate)) {
      setFieldErrors({ holidays: t('rulesEngine.calendar.errors.duplicate') });
      return;
    }
    setFieldErrors({});
    setHolidays([...holidays, { date: newDate, name: newName.trim() }].sort((a, b) => a.date.localeCompare(b.date)));
    setNewDate('');
    setNewName('');
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    const hours: WorkingHours[] = [];
    for (const d of WEEKDAYS) {
      const day = days[d]!;
      if (!day.on) continue;
      if (!day.opens || !day.closes || (day.closes !== '24:00' && day.closes <= day.opens)) {
        setFieldErrors({ hours: t('rulesEngine.calendar.errors.hours', { day: t(`rulesEngine.calendar.weekdays.${d}`) }) });
        return;
      }
      hours.push({ weekday: d, opens: day.opens, closes: day.closes });
    }
    if (!zone.trim()) {
      setFieldErrors({ time_zone: t('validation.required') });
      return;
    }
    await run(async () => {
      const saved = await updateCalendar({ time_zone: zone.trim(), hours, holidays });
      onSaved(saved);
      toast.show(t('rulesEngine.calendar.saved'), 'success');
    });
  };

  const zones = timeZones();
  return (
    <form className="form calendar-settings" onSubmit={submit} noValidate aria-label={t('rulesEngine.calendar.title')}>
      <ErrorAlert error={formError} />
      <TextField
        label={t('rulesEngine.calendar.timeZone')}
        value={zone}
        onChange={setZone}
        list="calendar-time-zones"
        error={fieldErrors.time_zone}
        hint={t('rulesEngine.calendar.timeZoneHint')}
      />
      <datalist id="calendar-time-zones">
        {zones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <fieldset className="fieldset" aria-describedby={fieldErrors.hours ? 'calendar-hours-error' : undefined}>
        <legend className="subsection-title">{t('rulesEngine.calendar.hours')}</legend>
        <table className="table calendar-settings__hours">
          <tbody>
            {WEEKDAYS.map((d) => {
              const day = days[d]!;
              const name = t(`rulesEngine.calendar.weekdays.${d}`);
              return (
                <tr key={d}>
                  <th scope="row">
                    <label className="checkbox">
                      <input type="checkbox" checked={day.on} onChange={(e) => setDay(d, { on: e.target.checked })} /> {name}
                    </label>
                  </th>
                  <td>
                    <input
                      className="input"
                      type="time"
                      value={day.opens}
                      disabled={!day.on}
                      aria-label={t('rulesEngine.calendar.opens', { day: name })}
                      onChange={(e) => setDay(d, { opens: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      className="input"
                      type="time"
                      value={day.closes === '24:00' ? '23:59' : day.closes}
                      disabled={!day.on}
                      aria-label={t('rulesEngine.calendar.closes', { day: name })}
                      onChange={(e) => setDay(d, { closes: e.target.value })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {fieldErrors.hours && (
          <p id="calendar-hours-error" className="field__error" role="alert">
            {fieldErrors.hours}
          </p>
        )}
      </fieldset>
      <fieldset className="fieldset">
        <legend className="subsection-title">{t('rulesEngine.calendar.holidays')}</legend>
        {holidays.length === 0 ? (
          <p className="muted">{t('rulesEngine.calendar.noHolidays')}</p>
        ) : (
          <ul className="calendar-settings__holidays" aria-label={t('rulesEngine.calendar.holidays')}>
            {holidays.map((h) => (
              <li key={h.date}>
                <span className="mono">{h.date}</span> {h.name}
                <button
                  type="button"
                  className="btn btn--ghost btn--tiny"
                  aria-label={t('rulesEngine.calendar.removeHoliday', { date: h.date })}
                  onClick={() => setHolidays(holidays.filter((x) => x.date !== h.date))}
                >
                  {t('common.remove')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="calendar-settings__add">
          <TextField label={t('rulesEngine.calendar.holidayDate')} type="date" value={newDate} onChange={setNewDate} />
          <TextField label={t('rulesEngine.calendar.holidayName')} value={newName} onChange={setNewName} maxLength={100} />
          <button type="button" className="btn btn--secondary" onClick={addHoliday}>
            {t('rulesEngine.calendar.addHoliday')}
          </button>
        </div>
        {fieldErrors.holidays && (
          <p className="field__error" role="alert">
            {fieldErrors.holidays}
          </p>
        )}
      </fieldset>
      <FormActions pending={pending} submitLabel={t('rulesEngine.calendar.save')} />
    </form>
  );
}
