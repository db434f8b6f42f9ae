// Grouping of the alerts a supervisor or a client's owner is shown live:
// missed calls (one group per caller) and plan alerts (one per agent and
// metric). A burst of repeats updates one group's count instead of stacking
// pop-ups: "never a pop-up storm".
import type { Call, PlanAlert, Role, UserID } from '../../lib/types';

export interface MissedGroup {
  kind: 'missed';
  /** The caller's number, or the client when the number is hidden. */
  key: string;
  number: string;
  clientId: number | null;
  clientName: string;
  count: number;
  lastAt: string;
  reason: Call['missed_reason'];
}

export interface PlanGroup {
  kind: 'plan';
  key: string;
  alert: PlanAlert;
  count: number;
  lastAt: string;
}

export type AlertGroup = MissedGroup | PlanGroup;

/** MAX_GROUPS is how many groups show at once; older ones fold into "and N more". */
export const MAX_GROUPS = 3;

export interface AlertState {
  /** Newest first. */
  groups: AlertGroup[];
}

export const emptyAlerts: AlertState = { groups: [] };

function callerKey(call: Call): string {
  if (call.from) return `missed:${call.from}`;
  return `missed:client:${call.client_id ?? call.id}`;
}

/**
 * seesMissedCall: supervisors and admins see every missed call of the
 * organisation; an agent sees those of the clients they own.
 */
export function seesMissedCall(call: Call, me: { id: UserID; role: Role }): boolean {
  if (me.role !== 'agent') return true;
  return call.client_owner_id === me.id;
}

/** addMissed folds a missed call into its caller's group, moving it to the top. */
export function addMissed(state: AlertState, call: Call, now: string): AlertState {
  const key = callerKey(call);
  const old = state.groups.find((g) => g.key === key) as MissedGroup | undefined;
  const group: MissedGroup = {
    kind: 'missed',
    key,
    number: call.from,
    clientId: call.client_id ?? old?.clientId ?? null,
    clientName: call.client_name || old?.clientName || '',
    count: (old?.count ?? 0) + 1,
    lastAt: call.ended_at ?? now,
    reason: call.missed_reason,
  };
  return { groups: [group, ...state.groups.filter((g) => g.key !== key)] };
}

/**
 * answeredWith closes the caller's group once a later call with the same
 * number connected: the callback happened (here or on anyone's phone).
 */
export function answeredWith(state: AlertState, call: Call): AlertState {
  const numbers = new Set([call.from, call.to].filter(Boolean));
  const groups = state.groups.filter((g) => g.kind !== 'missed' || !numbers.has(g.number));
  return groups.length === state.groups.length ? state : { groups };
}

/** addPlanAlert folds an alert into its agent's and metric's group. */
export function addPlanAlert(state: AlertState, alert: PlanAlert, now: string): AlertState {
  const key = `plan:${alert.agent_id}:${alert.metric}`;
  const old = state.groups.find((g) => g.key === key);
  const group: PlanGroup = { kind: 'plan', key, alert, count: (old?.count ?? 0) + 1, lastAt: now };
  return { groups: [group, ...state.groups.filter((g) => g.key !== key)] };
}

export function dismiss(state: AlertState, key: string): AlertState {
  return { groups: state.groups.filter((g) => g.key !== key) };
}

/** visible splits the groups into those shown and the count folded away. */
export function visible(state: AlertState): { shown: AlertGroup[]; more: number } {
  return { shown: state.groups.slice(0, MAX_GROUPS), more: Math.max(0, state.groups.length - MAX_GROUPS) };
}
