import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbortError } from '../../../lib/api-client';
import type { Client, ClientID, Stage, StageID } from '../../../lib/types';
import { fetchColumn, moveClient } from '../api/funnel-api';
import { applyMove, confirmMove, createBoard, rollbackMove, setColumnClients, type BoardState } from '../board-state';

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
  reload: () => void;
}

interface Options {
  onMoveFailed: (client: Client, toStage: Stage, err: unknown) => void;
  onMoved?: (client: Client, toStage: Stage) => void;
}

/** useFunnelBoard loads one column per stage and moves cards between them optimistically. */
export function useFunnelBoard(stages: Stage[] | undefined, options: Options): FunnelBoard {
  const [board, setBoard] = useState<BoardState | null>(null);
  const [loadingStages, setLoadingStages] = useState<ReadonlySet<StageID>>(new Set());
  const [failedStages, setFailedStages] = useState<ReadonlySet<StageID>>(new Set());
  const [pendingClients, setPendingClients] = useState<ReadonlySet<ClientID>>(new Set());
  const [reloadKey, setReloadKey] = useState(0);
  const boardRef = useRef<BoardState | null>(null);
  boardRef.current = board;
  const optionsRef = useRef(options);
  optionsRef.current = options;

  useEffect(() => {
    if (!stages) return;
    const ctrl = new AbortController();
    setBoard(createBoard(stages));
    setLoadingStages(new Set(stages.map((s) => s.id)));
    setFailedStages(new Set());
    for (const stage of stages) {
      fetchColumn(stage.id, ctrl.signal)
        .then((page) => {
          setBoard((b) => (b ? setColumnClients(b, stage.id, page.items, page.total) : b));
        })
        .catch((err: unknown) => {
          if (ctrl.signal.aborted || isAbortError(err)) return;
          setFailedStages((s) => new Set(s).add(stage.id));
        })
        .finally(() => {
          if (ctrl.signal.aborted) return;
          setLoadingStages((s) => {
            const next = new Set(s);
            next.delete(stage.id);
            return next;
          });
        });
    }
    return () => ctrl.abort();
  }, [stages, reloadKey]);

  const moveCard = useCallback(async (clientId: ClientID, toStageId: StageID) => {
    const current = boardRef.current;
    if (!current) return false;
    const res = applyMove(current, clientId, toStageId);
    if (!res) return false;
    const { move } = res;
    const toStage = current.columns[toStageId]!.stage;
    // Apply to the newest state, not the one read above, in case several moves overlap.
    setBoard((b) => (b ? (applyMove(b, clientId, toStageId)?.state ?? b) : b));
    setPendingClients((s) => new Set(s).add(clientId));
    try {
      const server = await moveClient(clientId, toStageId);
      setBoard((b) => (b ? confirmMove(b, server) : b));
      optionsRef.current.onMoved?.(server, toStage);
      return true;
    } catch (err) {
      setBoard((b) => (b ? rollbackMove(b, move) : b));
      optionsRef.current.onMoveFailed(move.before, toStage, err);
      return false;
    } finally {
      setPendingClients((s) => {
        const next = new Set(s);
        next.delete(clientId);
        return next;
      });
    }
  }, []);

  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  return { board, loadingStages, failedStages, pendingClients, moveCard, reload };
}
