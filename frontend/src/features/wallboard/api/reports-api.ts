import { request } from '../../../lib/api-client';
import type { FunnelReport } from '../../../lib/types';

/** fetchFunnelReport reads the funnel's live figures and its conversion since `since`. */
export function fetchFunnelReport(since: Date, signal?: AbortSignal): Promise<FunnelReport> {
  return request<FunnelReport>('/reports/funnel', { query: { since: since.toISOString() }, signal });
}
