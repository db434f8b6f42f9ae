import { useDraggable } from '@dnd-kit/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CoolingBadge } from '../../../components/ui/cooling-badge';
import { MenuButton } from '../../../components/ui/menu-button';
import type { Client, Stage } from '../../../lib/types';

export const cardDragId = (clientId: number) => `client-${clientId}`;

interface FunnelCardProps {
  client: Client;
  stages: Stage[];
  pending: boolean;
  onMove: (toStageId: number) => void;
}

/** CardFace is what a card shows: name, company, cooling badge and contacts in the stage. */
export function CardFace({ client }: { client: Client }) {
  const { t } = useTranslation();
  return (
    <>
      <span className="card__name">{client.name}</span>
      {client.company && <span className="card__company">{client.company}</span>}
      <span className="card__meta">
        <CoolingBadge state={client.cooling_state} />
        <span className="card__contacts">{t('board.contacts', { count: client.stage_contacts })}</span>
      </span>
    </>
  );
}

/**
 * FunnelCard is one client on the board. Its body is the drag handle (mouse,
 * touch or keyboard: Enter picks it up, arrows choose the column, Enter drops);
 * the "Move to…" menu does the same without dragging.
 */
export function FunnelCard({ client, stages, pending, onMove }: FunnelCardProps) {
  const { t } = useTranslation();
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({
    id: cardDragId(client.id),
    data: { clientId: client.id, stageId: client.stage_id },
    disabled: pending,
    attributes: { roleDescription: t('board.draggableCard') },
  });

  return (
    <li
      className={['card', isDragging ? 'card--dragging' : '', pending ? 'card--pending' : ''].join(' ')}
      aria-label={client.name}
      aria-busy={pending || undefined}
    >
      <div ref={setNodeRef} className="card__body" data-card-id={client.id} {...attributes} {...listeners}>
        <CardFace client={client} />
      </div>
      <div className="card__actions">
        <Link to={`/clients/${client.id}`} className="card__open" aria-label={t('board.openCard')} title={t('board.openCard')}>
          <span aria-hidden="true">↗</span>
        </Link>
        <MenuButton
          className="btn btn--ghost btn--tiny"
          menuLabel={t('board.moveTo')}
          items={stages
            .filter((s) => s.id !== client.stage_id)
            .map((s) => ({ key: String(s.id), label: s.name, onSelect: () => onMove(s.id), disabled: pending }))}
        >
          {t('board.moveToShort')}
        </MenuButton>
      </div>
    </li>
  );
}
