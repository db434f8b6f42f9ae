import { useResource } from '../../../lib/use-resource';
import { fetchStages } from '../api/stages-api';

/** useStages loads the organisation's funnel stages in order, with their client counts. */
export function useStages() {
  return useResource((signal) => fetchStages(signal), []);
}
