import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
  type UniqueIdentifier,
} from '@dnd-kit/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Client, ClientID, Stage, StageID } from '../../../lib/types';
import { findCard } from '../board-state';
import type { FunnelBoard as FunnelBoardModel } from '../hooks/use-funnel-board';
import { CardFace } from './funnel-card';
import { FunnelColumn } from './funnel-column';

/** A pointer must travel this far before a press becomes a drag, so clicks stay clicks. */
const DRAG_DISTANCE_PX = 5;

/** Mouse and touch: the column under the pointer; keyboard: the column the card overlaps most. */
const collisionDetection: CollisionDetection = (args) => {
  if (args.pointerCoordinates) {
    const hits = pointerWithin(args);
    if (hits.length > 0) return hits;
  }
  return rectIntersection(args);
};

/** columnKeyboardCoordinates makes the left and right arrows jump a dragged card a whole column. */
const columnKeyboardCoordinates: KeyboardCoordinateGetter = (event, { active, context, currentCoordinates }) => {
  const step = event.code === 'ArrowRight' ? 1 : event.code === 'ArrowLeft' ? -1 : 0;
  if (step === 0) {
    if (event.code === 'ArrowUp' || event.code === 'ArrowDown') event.preventDefault();
    return undefined;
  }
  event.preventDefault();
  const { droppableRects, droppableContainers, over, collisionRect } = context;
  const columns = droppableContainers
    .getEnabled()
    .map((c) => ({ id: c.id, rect: droppableRects.get(c.id) }))
    .filter((c): c is { id: UniqueIdentifier; rect: NonNullable<typeof c.rect> } => c.rect !== undefined)
    .sort((a, b) => a.rect.left - b.rect.left);
  const originStage = (context.active?.data.current as { stageId?: StageID } | undefined)?.stageId;
  const currentId = over?.id ?? (originStage !== undefined ? `stage-${originStage}` : undefined);
  const index = columns.findIndex((c) => c.id === currentId);
  const target = columns[index + step];
  if (!target || !collisionRect || !active) return undefined;
  return {
    x: target.rect.left + target.rect.width / 2 - collisionRect.width / 2,
    y: currentCoordinates.y,
  };
};

interface FunnelBoardProps {
  model: FunnelBoardModel;
}

/**
 * columnAt is the stage whose column lies under a point of the viewport. A
 * drag made of one long pointer move (as some automation sends) activates
 * the sensor without dnd-kit ever seeing the pointer over the target, so the
 * drop also asks where the pointer was let go.
 */
function columnAt(point: { x: number; y: number }): StageID | undefined {
  if (typeof document.elementsFromPoint !== 'function') return undefined;
  for (const el of document.elementsFromPoint(point.x, point.y)) {
    const col = el.closest<HTMLElement>('[data-stage-id]');
    if (col) return Number(col.dataset.stageId);
  }
  return undefined;
}

const clientIdOf = (id: UniqueIdentifier) => Number(String(id).replace('client-', ''));
const stageIdOf = (id: UniqueIdentifier) => Number(String(id).replace('stage-', ''));

/** FunnelBoard shows the funnel as columns of cards that can be dragged from stage to stage. */
export function FunnelBoard({ model }: FunnelBoardProps) {
  const { t } = useTranslation();
  const { board, loadingStages, failedStages, pendingClients, moveCard } = model;
  const [activeClient, setActiveClient] = useState<Client | null>(null);
  // Where a pointer drag is, updated before dnd-kit handles the event.
  const pointer = useRef<{ x: number; y: number } | null>(null);
  const stopTracking = useRef<(() => void) | null>(null);
  useEffect(() => () => stopTracking.current?.(), []);

  const trackPointer = () => {
    stopTracking.current?.();
    const onPointer = (e: PointerEvent) => {
      pointer.current = { x: e.clientX, y: e.clientY };
    };
    window.addEventListener('pointermove', onPointer, true);
    window.addEventListener('pointerup', onPointer, true);
    stopTracking.current = () => {
      window.removeEventListener('pointermove', onPointer, true);
      window.removeEventListener('pointerup', onPointer, true);
      stopTracking.current = null;
    };
  };

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: DRAG_DISTANCE_PX } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnKeyboardCoordinates }),
  );

  const stages: Stage[] = useMemo(
    () => (board ? board.order.map((id) => board.columns[id]!.stage) : []),
    [board],
  );
  const stageName = (id: UniqueIdentifier | undefined) =>
    id === undefined ? '' : (board?.columns[stageIdOf(id)]?.stage.name ?? '');
  const clientName = (id: UniqueIdentifier) => {
    if (!board) return '';
    const at = findCard(board, clientIdOf(id));
    return at ? (board.columns[at.stageId]?.clients[at.index]?.name ?? '') : '';
  };

  const announcements: Announcements = {
    onDragStart: ({ active }) => t('board.a11y.picked', { name: clientName(active.id) }),
    onDragOver: ({ active, over }) =>
      over
        ? t('board.a11y.over', { name: clientName(active.id), stage: stageName(over.id) })
        : t('board.a11y.notOver', { name: clientName(active.id) }),
    onDragEnd: ({ active, over }) =>
      over
        ? t('board.a11y.dropped', { name: clientName(active.id), stage: stageName(over.id) })
        : t('board.a11y.cancelled', { name: clientName(active.id) }),
    onDragCancel: ({ active }) => t('board.a11y.cancelled', { name: clientName(active.id) }),
  };

  const focusCard = (clientId: ClientID) => {
    window.requestAnimationFrame(() => {
      document.querySelector<HTMLElement>(`[data-card-id="${clientId}"]`)?.focus();
    });
  };

  const onDragStart = ({ active, activatorEvent }: DragStartEvent) => {
    pointer.current = null;
    if (!(activatorEvent instanceof KeyboardEvent)) trackPointer();
    if (!board) return;
    const at = findCard(board, clientIdOf(active.id));
    setActiveClient(at ? (board.columns[at.stageId]?.clients[at.index] ?? null) : null);
  };

  const onDragEnd = ({ active, over, activatorEvent }: DragEndEvent) => {
    setActiveClient(null);
    stopTracking.current?.();
    // The column dnd-kit found wins when it is another one; otherwise a
    // pointer drop asks which column is under the pointer (a drag made of
    // one long move never shows dnd-kit the target), and a keyboard drop
    // stays where it is.
    const from = (active.data.current as { stageId?: StageID } | undefined)?.stageId;
    const overStage = over ? stageIdOf(over.id) : undefined;
    const to = overStage !== undefined && overStage !== from ? overStage : pointer.current ? columnAt(pointer.current) : overStage;
    pointer.current = null;
    if (to === undefined) return;
    const clientId = clientIdOf(active.id);
    if (from === to) return;
    void moveCard(clientId, to);
    if (activatorEvent instanceof KeyboardEvent) focusCard(clientId);
  };

  if (!board) return null;

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collisionDetection}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={() => {
        setActiveClient(null);
        stopTracking.current?.();
        pointer.current = null;
      }}
      accessibility={{
        announcements,
        screenReaderInstructions: { draggable: t('board.a11y.instructions') },
      }}
    >
      <div className="board" aria-label={t('board.title')} role="group">
        {board.order.map((id) => (
          <FunnelColumn
            key={id}
            column={board.columns[id]!}
            stages={stages}
            loading={loadingStages.has(id)}
            failed={failedStages.has(id)}
            pendingClients={pendingClients}
            onMove={(clientId, to) => {
              void moveCard(clientId, to);
              focusCard(clientId);
            }}
          />
        ))}
      </div>
      <DragOverlay dropAnimation={null}>
        {activeClient ? (
          <div className="card card--overlay" aria-hidden="true">
            <div className="card__body">
              <CardFace client={activeClient} />
            </div>
          </div>
        ) : null}
      </DragOverlay>
    </DndContext>
  );
}
