import { useCallback, useEffect, useRef, useState } from 'react';
import type { ServerMessage } from '../../../lib/events';
import { isAbortError } from '../../../lib/api-client';
import type { Client, ClientID, ClientPage, Stage, StageID } from '../../../lib/types';
import { useLiveEvents } from '../../../stores/realtime-store';
import { fetchColumn, moveClient } from '../api/funnel-api';
import {
  applyBoardEvent,
  applyMove,
  createBoard,
  eventClient,
  holdChange,
  reapplyMoves,
  setColumnClients,
  settleMove,
  type BoardMove,
  type BoardState,
  type HeldChange,
} from '../board-state';

export interface FunnelBoard {
  board: BoardState | null;
  /** Stages whose cards are still loading. */
  loadingStages: ReadonlySet<StageID>;
  /** Stages whose cards failed to load. */
  failedStages: ReadonlySet<StageID>;
  /** Clients whose move waits for the server; they cannot be moved again meanwhile. */
  pendingClients: ReadonlySet<ClientID>;
  /** moveCard moves a card at once and asks the server; on refusal the card goes back and onError is told. */
  moveCard: (clientId: ClientID, toStageId: StageID) => Promise<boolean>;
  /** reload fetches every column again; the board stays as it is until the answers are in. */
  reload: () => void;
}

interface Options {
  onMoveFailed: (client: Client, toStage: Stage, err: unknown) => void;
  onMoved?: (client: Client, toStage: Stage) => void;
}

/** The live events the board listens to (see applyBoardEvent). */
const BOARD_EVENTS = [
  'client.created',
  'client.updated',
  'client.moved',
  'client.deleted',
  'clients.imported',
  'stage.created',
  'stage.updated',
  'stage.deleted',
  'stages.reordered',
  'resync',
] as const;

/**
 * useFunnelBoard loads one column per stage, moves cards between them
 * optimistically and keeps them up to date with live events.
 *
 * The first load fills the columns one by one; later loads (the stages
 * changed, an import, a resync) replace the board at once when every
 * column has answered, so nothing flickers. Live events that come during a
 * load wait for it and are applied on top. Events about a card whose move
 * waits for the server are held back and settled with the answer, so the
 * user's own move is neither done twice nor undone by its echo.
 */
export function useFunnelBoard(stages: Stage[] | undefined, options: Options): FunnelBoard {
  const [board, setBoardState] = useState<BoardState | null>(null);
  const [loadingStages, setLoadingStages] = useState<ReadonlySet<StageID>>(new Set());
  const [failedStages, setFailedStages] = useState<ReadonlySet<StageID>>(new Set());
  const [pendingClients, setPendingClients] = useState<ReadonlySet<ClientID>>(new Set());
  const [reloadKey, setReloadKey] = useState(0);
  // The board as last changed, ahead of rendering: every change starts from it.
  const boardRef = useRef<BoardState | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  /** Moves waiting for the server, by client. */
  const pending = useRef(new Map<ClientID, BoardMove>());
  /** What the server said meanwhile about clients whose move waits. */
  const held = useRef(new Map<ClientID, HeldChange>());
  /** Events that came during a load; null when no load runs. */
  const queued = useRef<ServerMessage[] | null>(null);
  /** Whether a load has finished: later ones replace the board at once. */
  const loadedOnce = useRef(false);

  const setBoard = useCallback((next: BoardState | null) => {
    boardRef.current = next;
    setBoardState(next);
  }, []);
  const update = useCallback(
    (fn: (b: BoardState) => BoardState) => {
      if (boardRef.current) setBoard(fn(boardRef.current));
    },
    [setBoard],
  );
  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  /** apply applies one live event now, or holds it for a card whose move waits. */
  const apply = useCallback(
    (message: ServerMessage) => {
      const about = eventClient(message);
      if (about && pending.current.has(about.id)) {
        held.current.set(about.id, holdChange(held.current.get(about.id), about.change));
        return;
      }
      const current = boardRef.current;
      if (!current) return;
      const res = applyBoardEvent(current, message);
      if (res.state !== current) setBoard(res.state);
      if (res.reload) reload();
    },
    [setBoard, reload],
  );

  useLiveEvents(BOARD_EVENTS, (message) => {
    if (queued.current) queued.current.push(message);
    else apply(message);
  });

  useEffect(() => {
    if (!stages) return;
    const ctrl = new AbortController();
    const first = !loadedOnce.current;
    queued.current = [];
    if (first) {
      setBoard(createBoard(stages));
      setLoadingStages(new Set(stages.map((s) => s.id)));
      setFailedStages(new Set());
    }
    const loads = stages.map((stage) =>
      fetchColumn(stage.id, ctrl.signal).then(
        (page): ClientPage | null => {
          if (first && !ctrl.signal.aborted) update((b) => setColumnClients(b, stage.id, page.items, page.total, page.event_seq));
          return page;
        },
        (err: unknown): null => {
          if (first && !ctrl.signal.aborted && !isAbortError(err)) setFailedStages((s) => new Set(s).add(stage.id));
          return null;
        },
      ).finally(() => {
        if (!first || ctrl.signal.aborted) return;
        setLoadingStages((s) => {
          const next = new Set(s);
          next.delete(stage.id);
          return next;
        });
      }),
    );
    void Promise.all(loads).then((pages) => {
      if (ctrl.signal.aborted) return;
      loadedOnce.current = true;
      if (!first) {
        // Replace the whole board at once; a column that failed keeps its cards.
        const old = boardRef.current;
        let next = createBoard(stages);
        const failed = new Set<StageID>();
        stages.forEach((stage, i) => {
          const page = pages[i];
          const kept = old?.columns[stage.id];
          if (page) next = setColumnClients(next, stage.id, page.items, page.total, page.event_seq);
          else if (kept) next = setColumnClients(next, stage.id, kept.clients, kept.count, kept.seq);
          else failed.add(stage.id);
        });
        setBoard(reapplyMoves(next, pending.current.values()));
        setFailedStages(failed);
      }
      const waiting = queued.current ?? [];
      queued.current = null;
      for (const message of waiting) apply(message);
    });
    return () => {
      ctrl.abort();
      queued.current = null;
    };
  }, [stages, reloadKey, setBoard, update, apply]);

  const moveCard = useCallback(
    async (clientId: ClientID, toStageId: StageID) => {
      const current = boardRef.current;
      if (!current || pending.current.has(clientId)) return false;
      const res = applyMove(current, clientId, toStageId);
      if (!res) return false;
      const { move } = res;
      const toStage = current.columns[toStageId]!.stage;
      pending.current.set(clientId, move);
      held.current.delete(clientId);
      setBoard(res.state);
      setPendingClients((s) => new Set(s).add(clientId));
      let answer: Client | null = null;
      let error: unknown = null;
      try {
        answer = await moveClient(clientId, toStageId);
      } catch (err) {
        error = err;
      }
      const change = held.current.get(clientId);
      held.current.delete(clientId);
      pending.current.delete(clientId);
      update((b) => settleMove(b, move, answer, change));
      setPendingClients((s) => {
        const next = new Set(s);
        next.delete(clientId);
        return next;
      });
      if (answer) optionsRef.current.onMoved?.(answer, toStage);
      else optionsRef.current.onMoveFailed(move.before, toStage, error);
      return answer !== null;
    },
    [setBoard, update],
  );

  return { board, loadingStages, failedStages, pendingClients, moveCard, reload };
}
