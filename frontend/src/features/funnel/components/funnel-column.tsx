import { useDroppable } from '@dnd-kit/core';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { ClientID, Stage } from '../../../lib/types';
import type { BoardColumn } from '../board-state';
import { FunnelCard } from './funnel-card';

export const columnDropId = (stageId: number) => `stage-${stageId}`;

interface FunnelColumnProps {
  column: BoardColumn;
  stages: Stage[];
  loading: boolean;
  failed: boolean;
  pendingClients: ReadonlySet<ClientID>;
  onMove: (clientId: ClientID, toStageId: number) => void;
}

/** FunnelColumn is one stage of the board: a region named after the stage, with its count and cards. */
export function FunnelColumn({ column, stages, loading, failed, pendingClients, onMove }: FunnelColumnProps) {
  const { t, i18n } = useTranslation();
  const { stage, clients, count } = column;
  const headingId = useId();
  const { setNodeRef, isOver } = useDroppable({ id: columnDropId(stage.id), data: { stageId: stage.id } });
  const nf = new Intl.NumberFormat(i18n.language);

  return (
    <section
      ref={setNodeRef}
      className={['column', `column--${stage.kind}`, isOver ? 'column--over' : ''].join(' ')}
      aria-label={stage.name}
      data-stage-id={stage.id}
    >
      <header className="column__header">
        <h2 id={headingId} className="column__title" title={stage.name}>
          {stage.name}
        </h2>
        <span className="column__count" aria-label={t('board.clientCount', { count })}>
          {nf.format(count)}
        </span>
      </header>
      <div className="column__body">
        {failed && <p className="column__note column__note--error">{t('board.columnFailed')}</p>}
        {loading && clients.length === 0 && <p className="column__note">{t('common.loading')}</p>}
        {!loading && !failed && clients.length === 0 && <p className="column__note">{t('board.emptyColumn')}</p>}
        <ul className="column__cards" aria-labelledby={headingId}>
          {clients.map((c) => (
            <FunnelCard
              key={c.id}
              client={c}
              stages={stages}
              pending={pendingClients.has(c.id)}
              onMove={(to) => onMove(c.id, to)}
            />
          ))}
        </ul>
        {count > clients.length && clients.length > 0 && (
          <Link to={`/clients?stage=${stage.id}`} className="column__more">
            {t('board.showAll', { count })}
          </Link>
        )}
      </div>
    </section>
  );
}
