// Contact plans (backend/warmline/plan.go, docs/integrations.md "Plans"):
// the plans page edits them; the wallboard and My day show their progress
// from the same functions and types.
import { request } from '../../../lib/api-client';
import type { Items, UserID } from '../../../lib/types';

export const PLAN_PERIODS = ['day', 'week', 'month', 'quarter'] as const;
export type PlanPeriod = (typeof PLAN_PERIODS)[number];

/** PLAN_METRICS are the targets a plan may set, in the API's order. */
export const PLAN_METRICS = ['contacts', 'new_clients', 'advances', 'wins'] as const;
export type PlanMetricName = (typeof PLAN_METRICS)[number];

/** Plan is an agent's targets per period; lag accumulates from starts_on. */
export interface Plan {
  id: number;
  agent_id: UserID;
  agent_name: string;
  period: PlanPeriod;
  contacts: number;
  new_clients: number;
  advances: number;
  wins: number;
  /** YYYY-MM-DD in the organisation's time zone. */
  starts_on: string;
  created_at: string;
  updated_at: string;
}

/** PlanInput creates a plan (agent_id and period required) or changes its targets and start. */
export interface PlanInput {
  agent_id?: UserID;
  period?: PlanPeriod;
  contacts?: number;
  new_clients?: number;
  advances?: number;
  wins?: number;
  starts_on?: string;
}

/** PlanMetric is one target's progress in the current period (metrics with a zero target are left out). */
export interface PlanMetric {
  metric: PlanMetricName;
  /** Per period. */
  target: number;
  /** Lag brought from earlier periods. */
  carried: number;
  /** Due by now: the target's share of working time elapsed, plus carried. */
  expected: number;
  /** Done this period. */
  actual: number;
  /** expected − actual; negative when ahead. */
  lag: number;
  /** Past the organisation's alert threshold. */
  behind: boolean;
}

export interface PlanProgress {
  plan_id: number;
  agent_id: UserID;
  agent_name: string;
  period: PlanPeriod;
  period_start: string;
  period_end: string;
  /** Share of the period's working time gone, 0..1. */
  elapsed: number;
  metrics: PlanMetric[];
}

export interface PlanProgressReport {
  /** Percent behind what is due by now that raises an alert. */
  alert_threshold: number;
  items: PlanProgress[];
}

export interface PlanSettings {
  alert_threshold: number;
}

/** fetchPlans lists the plans the caller may see (agents: their own). */
export async function fetchPlans(signal?: AbortSignal): Promise<Plan[]> {
  return (await request<Items<Plan>>('/plans', { signal })).items;
}

export function createPlan(input: PlanInput): Promise<Plan> {
  return request<Plan>('/plans', { method: 'POST', body: input });
}

export function updatePlan(id: number, input: PlanInput): Promise<Plan> {
  return request<Plan>(`/plans/${id}`, { method: 'PATCH', body: input });
}

export function deletePlan(id: number): Promise<void> {
  return request<void>(`/plans/${id}`, { method: 'DELETE' });
}

/** fetchPlanProgress is every visible plan's progress now (agents: their own). */
export function fetchPlanProgress(signal?: AbortSignal): Promise<PlanProgressReport> {
  return request<PlanProgressReport>('/plans/progress', { signal });
}

/** updatePlanSettings sets the organisation's alert threshold (admins). */
export function updatePlanSettings(input: PlanSettings): Promise<PlanSettings> {
  return request<PlanSettings>('/plans/settings', { method: 'PUT', body: input });
}
