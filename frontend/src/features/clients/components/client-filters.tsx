import { useTranslation } from 'react-i18next';
import { SelectField } from '../../../components/ui/form-field';
import { COOLING_STATES, type Channel, type Stage, type User } from '../../../lib/types';
import type { ClientListParams, ClientListPatch } from '../hooks/use-client-list-params';
import { ClientSearchBox } from './client-search-box';

interface ClientFiltersProps {
  params: ClientListParams;
  onChange: (patch: ClientListPatch, options?: { replace?: boolean }) => void;
  stages: Stage[];
  users: User[];
  channels: Channel[];
  hasFilters: boolean;
}

/** ClientFilters is the search box and the stage, owner, channel and cooling filters of the client list. */
export function ClientFilters({ params, onChange, stages, users, channels, hasFilters }: ClientFiltersProps) {
  const { t } = useTranslation();
  const channelNames = channels.map((c) => c.name);
  if (params.channel && !channelNames.includes(params.channel)) channelNames.push(params.channel);

  return (
    <div className="filters" role="search">
      <ClientSearchBox value={params.q} onSearch={(q) => onChange({ q }, { replace: true })} />
      <SelectField label={t('clients.filters.stage')} value={params.stage} onChange={(stage) => onChange({ stage })}>
        <option value="">{t('clients.filters.anyStage')}</option>
        {stages.map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name}
          </option>
        ))}
      </SelectField>
      <SelectField label={t('clients.filters.owner')} value={params.owner} onChange={(owner) => onChange({ owner })}>
        <option value="">{t('clients.filters.anyOwner')}</option>
        <option value="me">{t('clients.filters.ownerMe')}</option>
        <option value="none">{t('clients.filters.ownerNone')}</option>
        {users.map((u) => (
          <option key={u.id} value={String(u.id)}>
            {u.name}
          </option>
        ))}
      </SelectField>
      <SelectField label={t('clients.filters.channel')} value={params.channel} onChange={(channel) => onChange({ channel })}>
        <option value="">{t('clients.filters.anyChannel')}</option>
        {channelNames.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </SelectField>
      <SelectField label={t('clients.filters.cooling')} value={params.cooling} onChange={(cooling) => onChange({ cooling })}>
        <option value="">{t('clients.filters.anyCooling')}</option>
        {COOLING_STATES.map((c) => (
          <option key={c} value={c}>
            {t(`cooling.${c}`)}
          </option>
        ))}
      </SelectField>
      {hasFilters && (
        <button
          type="button"
          className="btn btn--ghost filters__reset"
          onClick={() => onChange({ q: '', stage: '', owner: '', channel: '', cooling: '' })}
        >
          {t('clients.filters.reset')}
        </button>
      )}
    </div>
  );
}
