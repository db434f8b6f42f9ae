import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { FormActions } from '../../../components/ui/form-actions';
import { CheckboxField, SelectField, TextField } from '../../../components/ui/form-field';
import type { Organisation } from '../../../lib/types';
import { useFormErrors } from '../../../lib/use-form-errors';
import { updateOrganisation } from '../api/organisation-api';

const FIELDS = ['name', 'default_country', 'time_zone', 'agents_own_clients_only'] as const;

/** Countries offered first: where Russian-speaking phone sales teams mostly work. */
const COUNTRIES = ['RU', 'KZ', 'BY', 'UZ', 'KG', 'AM', 'AZ', 'GE', 'MD', 'TJ', 'TM', 'UA', 'RS', 'IL', 'TR', 'AE', 'DE', 'PL', 'LT', 'LV', 'EE', 'FI', 'CY', 'GB', 'US'];

const FALLBACK_ZONES = [
  'Europe/Kaliningrad', 'Europe/Moscow', 'Europe/Samara', 'Asia/Yekaterinburg', 'Asia/Omsk', 'Asia/Novosibirsk',
  'Asia/Krasnoyarsk', 'Asia/Irkutsk', 'Asia/Yakutsk', 'Asia/Vladivostok', 'Asia/Magadan', 'Asia/Kamchatka',
  'Asia/Almaty', 'Asia/Tashkent', 'Asia/Bishkek', 'Europe/Minsk', 'Europe/Kyiv', 'Asia/Yerevan', 'Asia/Tbilisi',
  'Asia/Baku', 'Europe/Istanbul', 'Asia/Dubai', 'Europe/Berlin', 'Europe/London', 'UTC',
];

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    const zones = intl.supportedValuesOf?.('timeZone');
    if (zones && zones.length > 0) return zones.includes('UTC') ? zones : [...zones, 'UTC'];
  } catch {
    // old browser: use the short list
  }
  return FALLBACK_ZONES;
}

interface OrganisationSettingsProps {
  organisation: Organisation;
  onSaved: (org: Organisation) => void;
}

/** OrganisationSettings edits the company's name, phone country, time zone and client visibility. */
export function OrganisationSettings({ organisation, onSaved }: OrganisationSettingsProps) {
  const { t, i18n } = useTranslation();
  const [name, setName] = useState(organisation.name);
  const [country, setCountry] = useState(organisation.default_country);
  const [zone, setZone] = useState(organisation.time_zone);
  const [ownOnly, setOwnOnly] = useState(organisation.agents_own_clients_only);
  const [saved, setSaved] = useState(false);
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const countryNames = useMemo(() => {
    try {
      return new Intl.DisplayNames([i18n.language], { type: 'region' });
    } catch {
      return null;
    }
  }, [i18n.language]);
  const countries = COUNTRIES.includes(country) || !country ? COUNTRIES : [country, ...COUNTRIES];
  const zones = useMemo(() => {
    const all = timeZones();
    return zone && !all.includes(zone) ? [zone, ...all] : all;
  }, [zone]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    setSaved(false);
    if (!name.trim()) {
      setFieldErrors({ name: t('validation.required') });
      return;
    }
    await run(async () => {
      const org = await updateOrganisation({
        name: name.trim(),
        default_country: country,
        time_zone: zone,
        agents_own_clients_only: ownOnly,
      });
      onSaved(org);
      setSaved(true);
    });
  };

  return (
    <form className="form form--narrow" onSubmit={submit} noValidate>
      <ErrorAlert error={formError} />
      <TextField label={t('settings.organisation.name')} value={name} onChange={(v) => { setName(v); setSaved(false); }} error={fieldErrors.name} />
      <SelectField
        label={t('settings.organisation.country')}
        value={country}
        onChange={(v) => { setCountry(v); setSaved(false); }}
        error={fieldErrors.default_country}
        hint={t('settings.organisation.countryHint')}
      >
        {countries.map((c) => (
          <option key={c} value={c}>
            {countryNames?.of(c) ?? c} ({c})
          </option>
        ))}
      </SelectField>
      <SelectField
        label={t('settings.organisation.timeZone')}
        value={zone}
        onChange={(v) => { setZone(v); setSaved(false); }}
        error={fieldErrors.time_zone}
        hint={t('settings.organisation.timeZoneHint')}
      >
        {zones.map((z) => (
          <option key={z} value={z}>
            {z.replace(/_/g, ' ')}
          </option>
        ))}
      </SelectField>
      <CheckboxField
        label={t('settings.organisation.ownOnly')}
        checked={ownOnly}
        onChange={(v) => { setOwnOnly(v); setSaved(false); }}
        error={fieldErrors.agents_own_clients_only}
        hint={t('settings.organisation.ownOnlyHint')}
      />
      <FormActions pending={pending}>
        <span className="muted small" role="status">
          {saved ? t('common.saved') : ''}
        </span>
      </FormActions>
    </form>
  );
}
