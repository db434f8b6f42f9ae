import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchStages } from '../api/stages-api';

const STAGE_EVENTS = ['stage.created', 'stage.updated', 'stage.deleted', 'stages.reordered'] as const;
const COUNT_EVENTS = [...STAGE_EVENTS, 'client.created', 'client.moved', 'client.deleted', 'clients.imported'] as const;

/**
 * useStages loads the organisation's funnel stages in order, with their
 * client counts, and again whenever a stage changes elsewhere. liveCounts
 * also follows the client counts (for pages that show them); without it a
 * client's move does not load the stages again.
 */
export function useStages({ liveCounts = false }: { liveCounts?: boolean } = {}) {
  const stages = useResource((signal) => fetchStages(signal), []);
  useLiveRefresh(liveCounts ? COUNT_EVENTS : STAGE_EVENTS, stages.refresh, { delayMs: liveCounts ? 1000 : undefined });
  return stages;
}
