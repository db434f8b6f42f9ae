import { request } from '../../../lib/api-client';
import type { CallsReport, FunnelReport } from '../../../lib/types';

/** fetchFunnelReport reads the funnel's live figures and its conversion since `since`. */
export function fetchFunnelReport(since: Date, signal?: AbortSignal): Promise<FunnelReport> {
  return request<FunnelReport>('/reports/funnel', { query: { since: since.toISOString() }, signal });
}

/** fetchCallsReport reads the calls in progress and today's call figures. */
export function fetchCallsReport(signal?: AbortSignal): Promise<CallsReport> {
  return request<CallsReport>('/reports/calls', { signal });
}
