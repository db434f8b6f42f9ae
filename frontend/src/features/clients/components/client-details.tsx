import { useTranslation } from 'react-i18next';
import { CoolingBadge } from '../../../components/ui/cooling-badge';
import { formatDateTime, formatPhone, telHref } from '../../../lib/format';
import type { Client, Stage, User } from '../../../lib/types';

interface ClientDetailsProps {
  client: Client;
  stages: Stage[];
  users: User[];
}

/** ClientDetails shows a client's contact data, owner, stage and contact counters. */
export function ClientDetails({ client, stages, users }: ClientDetailsProps) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const stage = stages.find((s) => s.id === client.stage_id);
  const owner = users.find((u) => u.id === client.owner_id);
  const dash = <span className="muted">{t('common.none')}</span>;

  return (
    <div className="client-details">
      <dl className="details-list">
        <div>
          <dt>{t('client.fields.phones')}</dt>
          <dd>
            {client.phones.length === 0
              ? dash
              : client.phones.map((p, i) => (
                  <div key={p} className="phone-line">
                    <a href={telHref(p)} className="nowrap">
                      {formatPhone(p)}
                    </a>
                    {i === 0 && client.phones.length > 1 && <span className="muted small"> · {t('client.mainPhone')}</span>}
                  </div>
                ))}
          </dd>
        </div>
        <div>
          <dt>{t('client.fields.email')}</dt>
          <dd>{client.email ? <a href={`mailto:${client.email}`}>{client.email}</a> : dash}</dd>
        </div>
        <div>
          <dt>{t('client.fields.channel')}</dt>
          <dd>{client.channel || dash}</dd>
        </div>
        <div>
          <dt>{t('client.fields.owner')}</dt>
          <dd>{owner ? owner.name : <span className="muted">{t('clients.noOwner')}</span>}</dd>
        </div>
        <div>
          <dt>{t('client.fields.stage')}</dt>
          <dd>
            {stage?.name ?? dash}{' '}
            <span className="muted small">
              {t('client.inStageSince', { date: formatDateTime(client.stage_entered_at, lng) })}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('client.fields.cooling')}</dt>
          <dd>
            <CoolingBadge state={client.cooling_state} showAll />
            {client.cools_at && client.cooling_state !== 'cooled' && (
              <span className="muted small"> {t('client.coolsAt', { date: formatDateTime(client.cools_at, lng) })}</span>
            )}
            {client.cools_at && client.cooling_state === 'cooled' && (
              <span className="muted small"> {t('client.cooledAt', { date: formatDateTime(client.cools_at, lng) })}</span>
            )}
          </dd>
        </div>
      </dl>
      <dl className="counters" aria-label={t('client.countersLabel')}>
        <div className="counter">
          <dt>{t('client.fields.contacts')}</dt>
          <dd>{client.contacts}</dd>
        </div>
        <div className="counter">
          <dt>{t('client.fields.stageContacts')}</dt>
          <dd>
            {client.stage_contacts}
            {stage && stage.contact_limit > 0 && <span className="muted small"> / {stage.contact_limit}</span>}
          </dd>
        </div>
        <div className="counter">
          <dt>{t('client.fields.attempts')}</dt>
          <dd>{client.attempts}</dd>
        </div>
      </dl>
      <dl className="details-list details-list--compact">
        <div>
          <dt>{t('client.fields.firstContact')}</dt>
          <dd>{formatDateTime(client.first_contact_at, lng) || dash}</dd>
        </div>
        <div>
          <dt>{t('client.fields.lastContact')}</dt>
          <dd>{formatDateTime(client.last_contact_at, lng) || dash}</dd>
        </div>
        <div>
          <dt>{t('client.fields.created')}</dt>
          <dd>{formatDateTime(client.created_at, lng)}</dd>
        </div>
      </dl>
    </div>
  );
}
