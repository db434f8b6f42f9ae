// TypeScript mirror of the JSON shapes in backend/warmline/*.go.
// Times are RFC 3339 strings; ids are numbers.

export type OrgID = number;
export type UserID = number;
export type StageID = number;
export type ClientID = number;

export type Role = 'agent' | 'supervisor' | 'admin';
export const ROLES: readonly Role[] = ['agent', 'supervisor', 'admin'];

/** roleRank orders roles like warmline.Role.Rank: agent < supervisor < admin. */
export function roleRank(role: Role | string | undefined): number {
  switch (role) {
    case 'agent':
      return 1;
    case 'supervisor':
      return 2;
    case 'admin':
      return 3;
    default:
      return 0;
  }
}

/** canAct reports whether role is at least min. */
export function canAct(role: Role | string | undefined, min: Role): boolean {
  return roleRank(role) >= roleRank(min);
}

export type Locale = 'ru' | 'en';

export interface User {
  id: UserID;
  org_id: OrgID;
  email: string;
  name: string;
  role: Role;
  locale: string;
  time_zone: string;
  active: boolean;
  created_at: string;
}

export interface Organisation {
  id: OrgID;
  name: string;
  default_country: string;
  time_zone: string;
  agents_own_clients_only: boolean;
  created_at: string;
}

/** Session is what signup, login and GET /auth/me answer. */
export interface Session {
  user: User;
  organisation: Organisation;
  /** The organisation's last event when the answer was read: the live stream starts after it. */
  event_seq: number;
}

export interface SignUpInput {
  org_name: string;
  name: string;
  email: string;
  password: string;
  locale?: string;
  default_country?: string;
  time_zone?: string;
}

export interface MeUpdate {
  name?: string;
  locale?: string;
  time_zone?: string;
  password?: string;
}

export interface OrganisationUpdate {
  name?: string;
  default_country?: string;
  time_zone?: string;
  agents_own_clients_only?: boolean;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
  locale?: string;
  time_zone?: string;
}

export interface UserUpdate {
  name?: string;
  role?: Role;
  active?: boolean;
  locale?: string;
  time_zone?: string;
  password?: string;
}

/** AgentState is what an agent is doing, as the wallboard shows it (warmline/agent.go). */
export type AgentState = 'offline' | 'available' | 'ringing' | 'on_call' | 'wrap_up' | 'away';

/** Presence is one user's current state. */
export interface Presence {
  user_id: UserID;
  name: string;
  role: Role;
  state: AgentState;
  /** Why an agent is away; "" otherwise. */
  reason: string;
  since: string;
}

export type StageKind = 'open' | 'won' | 'rejected';
export const STAGE_KINDS: readonly StageKind[] = ['open', 'won', 'rejected'];
export type CoolingUnit = 'working_days' | 'hours';
export const COOLING_UNITS: readonly CoolingUnit[] = ['working_days', 'hours'];

export type ZombieAction = 'queue' | 'reject' | 'handoff';

/** StageRules are a stage's rules engine settings (docs/rules.md) beyond its cooling period and contact limit. */
export interface StageRules {
  /** Cooling soon at this share of the period when cooling_soon is 0. */
  cooling_soon_percent: number;
  notify_owner: boolean;
  zombie_action: ZombieAction;
  handoff_channel: string;
  handoff_email: string;
  handoff_webhook: boolean;
}

export interface Stage extends Partial<StageRules> {
  id: StageID;
  name: string;
  position: number;
  kind: StageKind;
  /** 0 means the stage never cools. */
  cooling_period: number;
  cooling_unit: CoolingUnit;
  cooling_soon: number;
  /** 0 means no zombie limit. */
  contact_limit: number;
  cooled_reassign_to?: UserID | null;
  cooled_move_to?: StageID | null;
  client_count: number;
  created_at: string;
}

export interface StageInput {
  name?: string;
  kind?: StageKind;
  cooling_period?: number;
  cooling_unit?: CoolingUnit;
  cooling_soon?: number;
  contact_limit?: number;
}

export type CoolingState = 'none' | 'ok' | 'soon' | 'cooled';
export const COOLING_STATES: readonly CoolingState[] = ['ok', 'soon', 'cooled', 'none'];

export interface Client {
  id: ClientID;
  name: string;
  company: string;
  /** E.164, the first is the main number. */
  phones: string[];
  email: string;
  channel: string;
  owner_id: UserID | null;
  stage_id: StageID;
  stage_entered_at: string;
  first_contact_at: string | null;
  last_contact_at: string | null;
  contacts: number;
  stage_contacts: number;
  attempts: number;
  notes: string;
  cooling_soon_at: string | null;
  cools_at: string | null;
  cooling_state: CoolingState;
  /** When the agent means to act next (PUT /clients/{id}/next-action); a callback falls due then. */
  next_action_at?: string | null;
  /** Handed to another channel by the zombie rule. */
  handed_off?: boolean;
  created_at: string;
  updated_at: string;
}

/** ClientInput creates or changes a client; absent fields are left as they are. */
export interface ClientInput {
  name?: string;
  company?: string;
  phones?: string[];
  email?: string;
  channel?: string;
  /** 0 clears the owner. */
  owner_id?: UserID;
  /** Create only; use the move endpoint to change. */
  stage_id?: StageID;
  notes?: string;
}

export const CLIENT_SORTS = [
  'name',
  'company',
  'created_at',
  'updated_at',
  'stage_entered_at',
  'last_contact_at',
  'cools_at',
  'contacts',
] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

export interface ClientListQuery {
  q?: string;
  stage_id?: StageID;
  /** a user id, "me" or "none" */
  owner_id?: string;
  channel?: string;
  cooling?: CoolingState;
  sort?: ClientSort;
  order?: SortOrder;
  page?: number;
  per_page?: number;
}

export interface ClientPage {
  items: Client[];
  total: number;
  page: number;
  per_page: number;
  /** The organisation's last event as of this page: items and total hold every event up to it, none after. */
  event_seq: number;
}

export interface Transition {
  id: number;
  client_id: ClientID;
  from_stage_id: StageID | null;
  to_stage_id: StageID;
  from_stage_name: string;
  to_stage_name: string;
  /** null when the product moved the client by itself. */
  actor_id: UserID | null;
  actor_name: string;
  reason: string;
  created_at: string;
}

export interface Channel {
  name: string;
  clients: number;
}

export interface Items<T> {
  items: T[];
}

export type ImportField =
  | 'name'
  | 'company'
  | 'phone'
  | 'email'
  | 'channel'
  | 'owner_email'
  | 'stage'
  | 'notes'
  | '';
export const IMPORT_FIELDS: readonly ImportField[] = [
  'name',
  'company',
  'phone',
  'email',
  'channel',
  'owner_email',
  'stage',
  'notes',
];

export type ImportMode = 'all_or_nothing' | 'skip_bad_rows';
export type ImportStatus = 'running' | 'done' | 'failed';

export interface ImportPreview {
  encoding: string;
  delimiter: string;
  headers: string[];
  rows: string[][];
  suggested_mapping: Record<string, ImportField>;
}

export interface ImportError {
  line: number;
  field: string;
  error: string;
  value?: string;
}

export interface Import {
  id: number;
  file_name: string;
  mode: ImportMode;
  status: ImportStatus;
  total_rows: number;
  processed: number;
  created: number;
  skipped: number;
  errors: ImportError[];
  message: string;
  created_at: string;
  finished_at: string | null;
}

/** ErrorCode is the code of an API error body; "network" when no answer came. */
export type ErrorCode =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'too_many'
  | 'internal'
  | 'unavailable'
  | 'network';

export interface ErrorBody {
  code: string;
  error: string;
  field?: string;
}

/** AGENT_STATES lists the states in the wallboard's order: ready first, gone last. */
export const AGENT_STATES: readonly AgentState[] = ['available', 'ringing', 'on_call', 'wrap_up', 'away', 'offline'];

/** ChosenState is a state an agent sets themselves; the others follow calls. */
export type ChosenState = Extract<AgentState, 'available' | 'away' | 'offline'>;

/** FunnelStageReport is one stage's live figures (warmline/report.go). */
export interface FunnelStageReport {
  stage_id: StageID;
  name: string;
  kind: StageKind;
  /** Clients in the stage now; cooling_soon and cooled of them. */
  clients: number;
  cooling_soon: number;
  cooled: number;
  /** Clients who entered the stage since the report's start; advanced: of them, went on to a later stage. */
  entered: number;
  advanced: number;
  /** advanced / entered, 0 when nobody entered. */
  conversion: number;
}

/** CallsToday are the organisation's call figures since its midnight (GET /reports/calls). */
export interface CallsToday {
  since: string;
  inbound: number;
  outbound: number;
  answered: number;
  missed: number;
  /** Missed calls with no later connected call with the caller's number. */
  not_called_back: number;
}

/** CallsReport is the wallboard's calls panel: calls in progress and today's figures. */
export interface CallsReport {
  live: Call[];
  today: CallsToday;
}

export interface FunnelReport {
  since: string;
  stages: FunnelStageReport[];
}

// Calls (backend/warmline/call.go).
export type CallID = number;
export type CallDirection = 'inbound' | 'outbound';
export type CallStatus = 'ringing' | 'answered' | 'ended';
export type CallOutcome = 'answered' | 'missed' | 'no_answer' | 'busy' | 'declined' | 'cancelled' | 'failed';
export type MissedReason = 'out_of_hours' | 'no_agents_online' | 'all_busy' | 'no_answer' | 'overload' | 'abandoned';
export type HangupSide = 'agent' | 'client' | 'system';

/** Call is one call record. */
export interface Call {
  id: CallID;
  direction: CallDirection;
  from: string;
  to: string;
  trunk_id: number | null;
  line_id: number | null;
  agent_id: UserID | null;
  agent_name: string;
  client_id: ClientID | null;
  client_name: string;
  /** The client's owner agent: who is told of a missed call besides supervisors. */
  client_owner_id: UserID | null;
  status: CallStatus;
  held: boolean;
  created_at: string;
  ringing_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  outcome: CallOutcome | null;
  missed_reason: MissedReason | null;
  sip_cause: number | null;
  end_reason: string;
  hangup_side: HangupSide | null;
}

/**
 * WorkItem is an entry of a work queue (callbacks, cooling soon, cooled,
 * zombies for decision); the rules engine (issue 5, docs/rules.md) owns its
 * shape. work_item.created is also sent again when an item changes owner.
 */
export type WorkItemKind = 'callback' | 'cooling_soon' | 'cooled' | 'zombie';
export interface WorkItem {
  id: number;
  kind: WorkItemKind;
  client_id: ClientID;
  client_name: string;
  owner_id: UserID | null;
  owner_name: string;
  /** Why, with the numbers: "cooled: 6 working days in Warm client, limit 5". */
  reason: string;
  created_at: string;
  closed_at: string | null;
  closed_by: UserID | null;
  decision: 'resolved' | 'keep' | 'handoff' | 'reject' | 'undone' | null;
}

/** RuleAction is one automatic action of the rules engine, with its reason. */
export interface RuleAction {
  id: number;
  client_id: ClientID;
  work_item_id: number | null;
  rule: 'cooling' | 'zombie' | 'objective_funnel';
  action: 'queue' | 'reassign' | 'move' | 'reject' | 'handoff' | 'keep';
  reason: string;
  /** The state the action changed, for undo (stage_id, owner_id, handed_off...). */
  before: Record<string, unknown>;
  /** The state after; a hand-off names its target (channel, email, webhook). */
  after: Record<string, unknown>;
  actor_id: UserID | null;
  created_at: string;
  undone_at: string | null;
  undone_by: UserID | null;
}

/** PlanAlert tells supervisors an agent fell behind pace. */
export interface PlanAlert {
  plan_id: number;
  agent_id: UserID;
  metric: string;
  target: number;
  actual: number;
  expected: number;
  lag: number;
  reason: string;
}
