import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../lib/format';
import type { Client } from '../../../lib/types';
import { NextActionForm } from './next-action-form';

/** ClientNextAction is the client card's next action date: when a callback falls due. */
export function ClientNextAction({ client, onSaved }: { client: Client; onSaved: (client: Client) => void }) {
  const { t, i18n } = useTranslation();
  const titleId = useId();
  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        {t('rulesEngine.nextAction.title')}
      </h2>
      <p className="muted small">
        {client.next_action_at
          ? t('rulesEngine.nextAction.current', { at: formatDateTime(client.next_action_at, i18n.language) })
          : t('rulesEngine.nextAction.none')}
      </p>
      <NextActionForm key={client.next_action_at ?? ''} client={client} onSaved={onSaved} />
    </section>
  );
}
