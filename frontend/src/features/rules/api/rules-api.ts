import { request } from '../../../lib/api-client';
import type { CallID, Client, ClientID, Items, RuleAction, Stage, StageID, StageInput, StageRules, UserID, ZombieAction } from '../../../lib/types';

// The rules engine's settings and records (backend/warmline/rules.go, stage.go).

/** WorkingHours is one weekday's working interval (ISO weekday: 1 = Monday … 7 = Sunday). */
export interface WorkingHours {
  weekday: number;
  opens: string;
  closes: string;
}

export interface Holiday {
  /** YYYY-MM-DD */
  date: string;
  name: string;
}

/** Calendar is the organisation's working time, on which cooling periods count. */
export interface Calendar {
  time_zone: string;
  hours: WorkingHours[];
  holidays: Holiday[];
}

export interface CalendarInput {
  time_zone?: string;
  hours?: WorkingHours[];
  holidays?: Holiday[];
}

export interface RuleSettings {
  /** A connected call at least this long is a contact, a shorter one an attempt. */
  contact_min_seconds: number;
  /** A new client's first contact ends in "rejected" unless the agent says otherwise. */
  objective_funnel: boolean;
  /** How long the after-call form waits before the default applies. */
  wrap_up_seconds: number;
}

export interface RuleSettingsUpdate {
  contact_min_seconds?: number;
  objective_funnel?: boolean;
}

export type { ZombieAction };
export const ZOMBIE_ACTIONS: readonly ZombieAction[] = ['queue', 'reject', 'handoff'];

/** StageRulesInput changes a stage's rules; for the two references 0 clears them. */
export interface StageRulesInput extends Omit<StageInput, 'name' | 'kind'>, Partial<StageRules> {
  cooled_reassign_to?: UserID;
  cooled_move_to?: StageID;
}

export type ContactKind = 'call' | 'meeting' | 'email' | 'message';
export const MANUAL_CONTACT_KINDS: readonly ContactKind[] = ['meeting', 'email', 'message', 'call'];

/** Contact is one touch of a client: a contact (counted) or an attempt. */
export interface Contact {
  id: number;
  client_id: ClientID;
  kind: ContactKind;
  counted: 'contact' | 'attempt';
  call_id: CallID | null;
  user_id: UserID | null;
  user_name: string;
  note: string;
  at: string;
  created_at: string;
}

export interface ContactInput {
  kind: ContactKind;
  note: string;
  at?: string;
}

/** AfterCallOutcome is the after-call form's answer. */
export type AfterCallOutcome = 'rejected' | 'keep' | 'advance' | 'stage';

export interface AfterCall {
  call_id: CallID;
  outcome: AfterCallOutcome;
  client: Client;
  decided_at: string;
}

export function fetchCalendar(signal?: AbortSignal): Promise<Calendar> {
  return request<Calendar>('/calendar', { signal });
}

export function updateCalendar(input: CalendarInput): Promise<Calendar> {
  return request<Calendar>('/calendar', { method: 'PUT', body: input });
}

export function fetchRuleSettings(signal?: AbortSignal): Promise<RuleSettings> {
  return request<RuleSettings>('/rules/settings', { signal });
}

export function updateRuleSettings(input: RuleSettingsUpdate): Promise<RuleSettings> {
  return request<RuleSettings>('/rules/settings', { method: 'PATCH', body: input });
}

export function updateStageRules(id: StageID, input: StageRulesInput): Promise<Stage> {
  return request<Stage>(`/stages/${id}`, { method: 'PATCH', body: input });
}

/** fetchClientActions lists a client's automatic actions, oldest first. */
export async function fetchClientActions(id: ClientID, signal?: AbortSignal): Promise<RuleAction[]> {
  const res = await request<Items<RuleAction>>(`/clients/${id}/actions`, { signal });
  return res.items;
}

export function undoRuleAction(id: number): Promise<RuleAction> {
  return request<RuleAction>(`/rule-actions/${id}/undo`, { method: 'POST' });
}

/** fetchContacts lists a client's contacts and attempts, newest first. */
export async function fetchContacts(id: ClientID, signal?: AbortSignal): Promise<Contact[]> {
  const res = await request<Items<Contact>>(`/clients/${id}/contacts`, { signal });
  return res.items;
}

export function addContact(id: ClientID, input: ContactInput): Promise<Contact> {
  return request<Contact>(`/clients/${id}/contacts`, { method: 'POST', body: input });
}

export function setCallOutcome(call: CallID, outcome: AfterCallOutcome, stageId?: StageID): Promise<AfterCall> {
  return request<AfterCall>(`/calls/${call}/outcome`, {
    method: 'POST',
    body: stageId === undefined ? { outcome } : { outcome, stage_id: stageId },
  });
}

/** setNextAction sets (or, with null, clears) when the agent means to act next on a client; a callback falls due then. */
export function setNextAction(id: ClientID, at: string | null): Promise<Client> {
  return request<Client>(`/clients/${id}/next-action`, { method: 'PUT', body: { next_action_at: at } });
}
