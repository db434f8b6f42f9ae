package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/warmline/warmline/backend/warmline"
)

// The rules engine (docs/rules.md). A fixed list of set-based statements
// runs over the clients of a scope: every client of every organisation
// (the sweep, in batches: sweep.go), one organisation or stage after a
// calendar or rule change has committed (reevaluate, the sweep's batches
// over that scope), or a few clients inside the change's transaction (a
// call ended, a client moved: evaluate). Each statement
// only does what is not done yet, so running it twice changes nothing; each
// writes its work items, rule actions, moves and their events in one go,
// numbering the events per organisation as appendEvent does.

// scope selects the clients an evaluation looks at; zero values mean all.
type scope struct {
	org     warmline.OrgID
	stage   warmline.StageID
	clients []warmline.ClientID
}

// args are the parameters every engine statement takes: $1 now, $2 the
// organisation, $3 the stage, $4 the clients.
func (s scope) args(now time.Time) []any {
	return []any{now, s.org, s.stage, clientIDArray(s.clients)}
}

// inScopeK is inScope for a client named k (freeClients).
var inScopeK = strings.ReplaceAll(inScope, "c.", "k.")

// inScope is the condition for client c to be in the scope.
const inScope = `($2::bigint = 0 OR c.org_id = $2) AND ($3::bigint = 0 OR c.stage_id = $3) AND ($4::bigint[] IS NULL OR c.id = ANY($4))`

// orgInScope is the condition for organisation o to be in the scope.
const orgInScope = `$2::bigint = 0 OR o.id = $2`

// scopeParams are the types of scope.args, as PREPARE takes them.
const scopeParams = `timestamptz, bigint, bigint, bigint[]`

// forClients is an engine statement for a client scope, to keep prepared:
// with the scope's organisation and clients known to be given, a generic
// plan finds them by key.
func forClients(q string) string {
	q = strings.ReplaceAll(q, inScope, `c.org_id = $2 AND c.id = ANY($4) AND ($3::bigint = 0 OR c.stage_id = $3)`)
	q = strings.ReplaceAll(q, inScopeK, `k.org_id = $2 AND k.id = ANY($4) AND ($3::bigint = 0 OR k.stage_id = $3)`)
	return strings.ReplaceAll(q, orgInScope, `o.id = $2`)
}

// emitEvents ends a statement whose CTE ev(org_id, ord, type, data) lists
// events: it takes a block of sequence numbers per organisation and
// inserts the events in ord order. The statement answers the number of
// events written and the organisations they belong to, whose hubs the
// caller wakes after the commit (wake.go).
const emitEvents = `,
	evn AS (SELECT org_id, type, data, row_number() OVER (PARTITION BY org_id ORDER BY ord) AS rn FROM ev),
	bump AS (UPDATE event_counters k SET last_seq = k.last_seq + n.cnt
		FROM (SELECT org_id, count(*) AS cnt FROM evn GROUP BY org_id) n WHERE k.org_id = n.org_id
		RETURNING k.org_id AS id, k.last_seq - n.cnt AS base),
	ins_ev AS (INSERT INTO events (org_id, seq, type, data)
		SELECT evn.org_id, bump.base + evn.rn, evn.type, evn.data FROM evn JOIN bump ON bump.id = evn.org_id
		RETURNING org_id)
	SELECT (SELECT count(*) FROM ins_ev), ARRAY(SELECT DISTINCT org_id FROM ins_ev)`

// workItemJSON is a work item row w as the API writes it (warmline.WorkItem).
const workItemJSON = `jsonb_build_object('id', w.id, 'kind', w.kind, 'client_id', w.client_id,
	'client_name', COALESCE((SELECT name FROM clients WHERE org_id = w.org_id AND id = w.client_id), ''),
	'owner_id', w.owner_id, 'owner_name', COALESCE((SELECT name FROM users WHERE org_id = w.org_id AND id = w.owner_id), ''),
	'reason', w.reason, 'created_at', w.created_at, 'closed_at', w.closed_at, 'closed_by', w.closed_by, 'decision', w.decision)`

// ruleActionJSON is a rule action row r as the API writes it (warmline.RuleAction).
const ruleActionJSON = `jsonb_build_object('id', r.id, 'client_id', r.client_id, 'work_item_id', r.work_item_id,
	'rule', r.rule, 'action', r.action, 'reason', r.reason, 'before', r.before, 'after', r.after,
	'actor_id', r.actor_id, 'created_at', r.created_at, 'undone_at', r.undone_at, 'undone_by', r.undone_by)`

// clientJSON is a client row c as the API writes it (warmline.Client), with
// its cooling state at $1.
const clientJSON = `jsonb_build_object('id', c.id, 'name', c.name, 'company', c.company, 'phones', c.phones,
	'email', c.email, 'channel', c.channel, 'owner_id', c.owner_id, 'stage_id', c.stage_id,
	'stage_entered_at', c.stage_entered_at, 'first_contact_at', c.first_contact_at, 'last_contact_at', c.last_contact_at,
	'contacts', c.contacts, 'stage_contacts', c.stage_contacts, 'attempts', c.attempts, 'notes', c.notes,
	'cooling_soon_at', c.cooling_soon_at, 'cools_at', c.cools_at,
	'cooling_state', CASE WHEN c.cools_at IS NULL THEN 'none' WHEN c.cools_at <= $1 THEN 'cooled'
		WHEN c.cooling_soon_at <= $1 THEN 'soon' ELSE 'ok' END,
	'next_action_at', c.next_action_at, 'handed_off', c.handed_off,
	'created_at', c.created_at, 'updated_at', c.updated_at)`

// orgCalendars is a CTE o of the organisations in scope with their working
// calendar loaded once each (wl_calendar), for statements that do calendar
// arithmetic per client.
const orgCalendars = `o AS MATERIALIZED (SELECT o.*, k.opens, k.closes, k.holidays
		FROM organisations o, wl_calendar(o.id) k WHERE ` + orgInScope + `)`

// clientJSONAtNow is clientJSON with its cooling state at the
// transaction's time, as findClient reads it.
var clientJSONAtNow = strings.ReplaceAll(clientJSON, "$1", "now()")

// elapsedSQL is the working time from a client's last touch to $1 in its
// stage's unit (whole working days, or working hours to one decimal), with
// o from orgCalendars. Whole days are counted on the loaded calendar by
// wl_cal_days_between, week by week: wl_working_days_between's two
// lookups per day, then a day-by-day count, for every cooled client of a
// first sweep, were most of its time, then a fifth.
const elapsedSQL = `(CASE WHEN s.cooling_unit = 'hours'
	THEN round(wl_working_minutes_between(c.org_id, GREATEST(c.stage_entered_at, c.last_contact_at), $1, o.time_zone)::numeric / 6) / 10
	ELSE wl_cal_days_between(GREATEST(c.stage_entered_at, c.last_contact_at), $1, o.time_zone, o.opens, o.holidays) END)::float8`

// unitWords names a stage's unit in a reason, as rules.unitWords does.
const unitWords = `CASE WHEN s.cooling_unit = 'hours' THEN 'working hours' ELSE 'working days' END`

// noItem is the condition that client c has no work item of kind for the
// episode at episode, and none open. Two conditions, each the key of a
// unique index on work_items, so each is a lookup (or a hash join) what
// ever the table's statistics say.
func noItem(kind, episode string) string {
	return `NOT EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id AND w.client_id = c.id
			AND w.kind = '` + kind + `' AND w.episode_at = ` + episode + `)
		  AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id AND w.client_id = c.id
			AND w.kind = '` + kind + `' AND w.closed_at IS NULL)`
}

// dueClients is a CTE due of the live, not handed-off clients in scope
// that meet cond, found before they are joined to their stage: joined
// first, the planner took a stage's clients for as few as one
// organisation's share of them (it multiplies the selectivities of org_id
// and stage_id, which a stage makes one) and fetched a million clients one
// index probe at a time instead of scanning the table (a second a minute
// at 1M clients).
func dueClients(cond string) string {
	return `due AS MATERIALIZED (SELECT c.* FROM clients c
		WHERE c.deleted_at IS NULL AND NOT c.handed_off AND ` + inScope + ` AND ` + cond + `)`
}

// openItems inserts work items of kind from src(org_id, client_id,
// owner_id, reason, episode_at, actions_done, notify), one per client and
// episode, with a "queue" rule action of rule when rule is not empty.
func openItems(src, kind, rule string) string {
	q := `WITH ` + freeClients + `,
	src AS (` + src + `),
	w AS (INSERT INTO work_items (org_id, client_id, kind, owner_id, reason, episode_at, actions_done, created_at)
		SELECT src.org_id, src.client_id, '` + kind + `', src.owner_id, src.reason, src.episode_at, src.actions_done, $1
		FROM src JOIN lk ON lk.org_id = src.org_id AND lk.id = src.client_id
		-- Sorted, so src is complete before the first row goes in: its
		-- anti-join on work_items, planned while the table was nearly
		-- empty (a first sweep), rescanned every row inserted so far.
		ORDER BY src.org_id, src.client_id
		ON CONFLICT DO NOTHING RETURNING *)`
	ev := `ev AS (SELECT w.org_id, w.id * 2 AS ord, '` + warmline.EventWorkItemCreated + `' AS type, ` + workItemJSON + ` AS data FROM w`
	if rule != "" {
		q += `,
	r AS (INSERT INTO rule_actions (org_id, client_id, work_item_id, rule, action, reason, before, after, created_at)
		SELECT w.org_id, w.client_id, w.id, '` + rule + `', 'queue', w.reason, '{}',
			jsonb_build_object('work_item_id', w.id, 'kind', w.kind, 'owner_id', w.owner_id, 'notify_owner', src.notify), $1
		FROM w JOIN src ON src.org_id = w.org_id AND src.client_id = w.client_id
		ORDER BY w.id -- an action's id follows its item's, whatever the join's plan
		RETURNING *)`
		ev += ` UNION ALL SELECT r.org_id, r.work_item_id * 2 + 1, '` + warmline.EventRuleAction + `', ` + ruleActionJSON + ` FROM r`
	}
	return q + ",\n\t" + ev + ")" + emitEvents
}

// ruleMove moves the clients of src(org_id, client_id, to_stage_id,
// reason, work_item_id) to their stage, as a person's move would (a
// transition, the cooling deadlines restart, stage contacts reset), and
// records a rule action (rule, action) whose "before" can undo it. Clients
// already in that stage are left alone.
func ruleMove(src, rule, action string) string {
	return `WITH ` + freeClients + `,
	src AS (` + src + `),
	m AS (SELECT c.org_id, c.id AS client_id, c.stage_id AS from_stage_id, c.stage_entered_at, c.stage_contacts,
			c.cooling_soon_at, c.cools_at, src.to_stage_id, src.reason, src.work_item_id
		FROM src JOIN clients c ON c.org_id = src.org_id AND c.id = src.client_id
		JOIN stages ts ON ts.org_id = src.org_id AND ts.id = src.to_stage_id AND ts.deleted_at IS NULL
		WHERE c.deleted_at IS NULL AND c.stage_id <> src.to_stage_id),
	c AS (UPDATE clients c SET stage_id = m.to_stage_id, stage_entered_at = $1, stage_contacts = 0,
			(cooling_soon_at, cools_at) = (SELECT d.soon_at, d.cools_at FROM wl_deadlines(GREATEST($1, c.last_contact_at),
				ts.kind, ts.cooling_period, ts.cooling_unit, ts.cooling_soon, ts.cooling_soon_percent, o.time_zone,
				k.opens, k.closes, k.holidays) d),
			updated_at = clock_timestamp()
		FROM m, stages ts, organisations o, LATERAL wl_calendar(o.id) k
		WHERE c.org_id = m.org_id AND c.id = m.client_id AND ts.org_id = m.org_id AND ts.id = m.to_stage_id AND o.id = m.org_id
		RETURNING c.*),
	t AS (INSERT INTO stage_transitions (org_id, client_id, from_stage_id, to_stage_id, actor_id, reason, created_at)
		SELECT m.org_id, m.client_id, m.from_stage_id, m.to_stage_id, NULL, left(m.reason, 500), $1 FROM m),
	r AS (INSERT INTO rule_actions (org_id, client_id, work_item_id, rule, action, reason, before, after, created_at)
		SELECT m.org_id, m.client_id, m.work_item_id, '` + rule + `', '` + action + `', m.reason,
			jsonb_build_object('stage_id', m.from_stage_id, 'stage_entered_at', m.stage_entered_at, 'stage_contacts', m.stage_contacts,
				'cooling_soon_at', m.cooling_soon_at, 'cools_at', m.cools_at),
			jsonb_build_object('stage_id', m.to_stage_id), $1
		FROM m RETURNING *),
	ev AS (SELECT c.org_id, c.id * 2 AS ord, '` + warmline.EventClientMoved + `' AS type,
			jsonb_build_object('client', ` + clientJSON + `, 'from_stage_id', m.from_stage_id, 'to_stage_id', m.to_stage_id, 'reason', m.reason) AS data
		FROM c JOIN m ON m.org_id = c.org_id AND m.client_id = c.id
		UNION ALL SELECT r.org_id, r.client_id * 2 + 1, '` + warmline.EventRuleAction + `', ` + ruleActionJSON + ` FROM r)` + emitEvents
}

// engineSteps are the statements of one evaluation, in order.
var engineSteps = []struct {
	name string
	// need is the due-ness (see dueSQL) without which the step has nothing
	// to do for a client.
	need []string
	// find lists (client_id) every client of the scope the step may act on
	// (a superset: the step checks again). The sweep finds them once, then
	// runs sql over them in bounded batches (sweep.go).
	find string
	sql  string
}{
	// Work items whose reason passed are closed: contacted since it
	// cooled (or cooling is over), the client moved on, was handed off or
	// deleted; a callback once the client is contacted after it fell due
	// or its next action moved to the future.
	{"close resolved work items", []string{"open"},
		`SELECT w.client_id FROM work_items w JOIN clients c ON c.org_id = w.org_id AND c.id = w.client_id
		JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		WHERE w.closed_at IS NULL AND ` + inScope + ` AND ` + resolved,
		`WITH ` + freeClients + `,
	w AS (UPDATE work_items w SET closed_at = $1, decision = 'resolved'
		FROM clients c JOIN lk ON lk.org_id = c.org_id AND lk.id = c.id JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		WHERE w.closed_at IS NULL AND c.org_id = w.org_id AND c.id = w.client_id AND ` + inScope + `
		  AND ` + resolved + `
		RETURNING w.*),
	ev AS (SELECT w.org_id, w.id AS ord, '` + warmline.EventWorkItemClosed + `' AS type, ` + workItemJSON + ` AS data FROM w)` + emitEvents},

	// Callbacks fall due at the client's next-action time.
	{"open due callbacks", []string{"callback"}, clientsOf(dueCallbacks), openItems(dueCallbacks, warmline.WorkCallback, "")},

	// Cooling soon: between the soon moment and cooling.
	{"open cooling soon", []string{"soon"}, clientsOf(coolingSoon), openItems(coolingSoon, warmline.WorkCoolingSoon, "")},

	// Cooled: always the Cooled queue (a rule action, the owner notified
	// when the stage says so); reassigning and moving follow below.
	{"open cooled", []string{"cooled"}, clientsOf(cooled), openItems(cooled, warmline.WorkCooled, "cooling")},

	// A cooled client's stage may reassign it ...
	{"reassign cooled", []string{"pending", "cooled"}, clientsOf(cooledToReassign), `WITH p AS (` + cooledToReassign + ` ` + skipLocked + `),
	c AS (UPDATE clients c SET owner_id = p.to_owner, updated_at = clock_timestamp() FROM p
		WHERE c.org_id = p.org_id AND c.id = p.client_id RETURNING c.*),
	wi AS (UPDATE work_items w SET owner_id = p.to_owner FROM p WHERE w.id = p.work_item_id),
	r AS (INSERT INTO rule_actions (org_id, client_id, work_item_id, rule, action, reason, before, after, created_at)
		SELECT org_id, client_id, work_item_id, 'cooling', 'reassign', reason,
			jsonb_build_object('owner_id', from_owner), jsonb_build_object('owner_id', to_owner), $1 FROM p RETURNING *),
	ev AS (SELECT c.org_id, c.id * 2 AS ord, '` + warmline.EventClientUpdated + `' AS type, ` + clientJSON + ` AS data FROM c
		UNION ALL SELECT r.org_id, r.client_id * 2 + 1, '` + warmline.EventRuleAction + `', ` + ruleActionJSON + ` FROM r)` + emitEvents},

	// ... and move it to another stage; then its further actions are done.
	{"move cooled", []string{"pending", "cooled"},
		`SELECT w.client_id FROM work_items w JOIN clients c ON c.org_id = w.org_id AND c.id = w.client_id
		WHERE NOT w.actions_done AND w.kind = 'cooled' AND ` + inScope,
		ruleMove(`UPDATE work_items w SET actions_done = true
		FROM clients c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		WHERE NOT w.actions_done AND w.kind = 'cooled' AND c.org_id = w.org_id AND c.id = w.client_id AND `+inScope+`
		  AND (c.org_id, c.id) IN (SELECT org_id, id FROM lk)
		RETURNING w.org_id, w.client_id, s.cooled_move_to AS to_stage_id, w.reason, w.id AS work_item_id`, "cooling", "move")},

	// Zombies: the contact limit reached in an open stage without progress.
	{"open zombies", []string{"zombie_queue"}, clientsOf(zombiesToQueue), openItems(zombiesToQueue, warmline.WorkZombie, "zombie")},
	{"reject zombies", []string{"zombie_reject"}, clientsOf(zombiesToReject), ruleMove(zombiesToReject+` `+skipLocked, "zombie", "reject")},
	{"hand off zombies", []string{"zombie_handoff"}, clientsOf(zombiesToHandOff), `WITH p AS (` + zombiesToHandOff + ` ` + skipLocked + `),
	c AS (UPDATE clients c SET handed_off = true, handed_off_at = $1, updated_at = clock_timestamp() FROM p
		WHERE c.org_id = p.org_id AND c.id = p.client_id RETURNING c.*),
	r AS (INSERT INTO rule_actions (org_id, client_id, rule, action, reason, before, after, created_at)
		SELECT org_id, client_id, 'zombie', 'handoff', reason, jsonb_build_object('handed_off', false),
			jsonb_build_object('handed_off', true, 'channel', handoff_channel, 'email', handoff_email, 'webhook', handoff_webhook), $1
		FROM p RETURNING *),
	ev AS (SELECT c.org_id, c.id * 2 AS ord, '` + warmline.EventClientUpdated + `' AS type, ` + clientJSON + ` AS data FROM c
		UNION ALL SELECT r.org_id, r.client_id * 2 + 1, '` + warmline.EventRuleAction + `', ` + ruleActionJSON + ` FROM r)` + emitEvents},

	// The objective funnel: a new client's first contact without an
	// after-call answer in time ends in the rejected stage (if the client
	// is still where the call found it).
	{"objective funnel defaults", []string{"outcome"},
		`SELECT co.client_id FROM call_outcomes co JOIN clients c ON c.org_id = co.org_id AND c.id = co.client_id
		WHERE co.decided_at IS NULL AND co.due_at <= $1 AND ` + inScope,
		ruleMove(`UPDATE call_outcomes co SET decided_at = $1,
			outcome = CASE WHEN c.stage_id = co.stage_id THEN 'rejected' ELSE 'keep' END
		FROM clients c, organisations o
		WHERE co.decided_at IS NULL AND co.due_at <= $1 AND c.org_id = co.org_id AND c.id = co.client_id AND o.id = co.org_id
		  AND `+inScope+`
		RETURNING co.org_id, co.client_id,
			CASE WHEN c.stage_id = co.stage_id THEN (SELECT r.id FROM stages r WHERE r.org_id = c.org_id AND r.kind = 'rejected'
				AND r.deleted_at IS NULL ORDER BY r.position LIMIT 1) END AS to_stage_id,
			format('objective funnel: no outcome within %s s after the first contact (call %s)', o.wrap_up_seconds, co.call_id) AS reason,
			NULL::bigint AS work_item_id`, "objective_funnel", "reject")},
}

// clientsOf is the find query of a step whose clients are the rows of src.
// Only client_id is asked for, so Postgres leaves the rest of src's
// columns (the reasons) uncomputed.
func clientsOf(src string) string {
	return `SELECT f.client_id FROM (` + src + `) f`
}

// skipLocked ends the query of the clients a step updates: a client that
// a person's write holds is left to the next run.
const skipLocked = `FOR UPDATE OF c SKIP LOCKED`

// freeClients is the CTE lk: the clients of the scope that no one else's
// write holds, taken FOR KEY SHARE (the lock the statement's foreign keys
// take on them anyway; a person's write holds its client FOR UPDATE, so
// it is skipped) before the statement touches anything else. Every step that writes takes its
// clients first, as a person's write does: it takes its client, then the
// organisation's event counter, then closes or raises that client's
// items. A step that wrote a client's item without holding the client
// waited for the person's uncommitted item while a third writer, holding
// the counter, waited for a client the step held (its foreign-key share
// lock): a deadlock, and an agent's edit failed with it
// (TestRulesEngine_CalendarChangeBesideClientEdits). A skipped client is
// left to the next run. The scope always names its clients here ($4: a
// sweep batch, or the few clients of an incremental run).
var freeClients = `lk AS MATERIALIZED (SELECT k.org_id, k.id FROM clients k
		WHERE ` + inScopeK + ` FOR KEY SHARE OF k SKIP LOCKED)`

// resolved is the condition that the open work item w of client c (in
// stage s) is to be closed.
const resolved = `(c.deleted_at IS NOT NULL OR c.handed_off OR s.kind <> 'open'
			OR (w.kind = 'cooling_soon' AND NOT (c.cooling_soon_at = w.episode_at AND c.cools_at > $1))
			OR (w.kind = 'cooled' AND (c.last_contact_at >= w.episode_at OR (c.cools_at IS DISTINCT FROM w.episode_at
				AND (c.cools_at IS NULL OR c.cools_at > $1)
				AND NOT EXISTS (SELECT 1 FROM rule_actions r WHERE r.org_id = w.org_id AND r.client_id = w.client_id
					AND r.work_item_id = w.id AND r.action = 'move' AND r.undone_at IS NULL))))
			OR (w.kind = 'zombie' AND (c.stage_entered_at <> w.episode_at OR s.contact_limit = 0 OR c.stage_contacts < s.contact_limit))
			OR (w.kind = 'callback' AND (c.last_contact_at >= w.episode_at OR c.next_action_at > GREATEST($1, w.episode_at))))`

// The sources of the steps that raise work items or act on clients: one
// row per client (org_id, client_id, ...) that the step acts on.
var (
	dueCallbacks = `SELECT c.org_id, c.id AS client_id, c.owner_id,
			'callback due ' || to_char(c.next_action_at AT TIME ZONE o.time_zone, 'YYYY-MM-DD HH24:MI') AS reason,
			c.next_action_at AS episode_at, true AS actions_done, false AS notify
		FROM clients c JOIN organisations o ON o.id = c.org_id
		WHERE c.deleted_at IS NULL AND c.next_action_at <= $1 AND ` + inScope + ` AND NOT c.handed_off
		  AND (c.last_contact_at IS NULL OR c.last_contact_at < c.next_action_at)
		  AND ` + noItem(warmline.WorkCallback, "c.next_action_at")

	coolingSoon = `WITH ` + orgCalendars + `,
		` + dueClients(`c.cooling_soon_at <= $1 AND c.cools_at > $1 AND c.cooling_soon_at < c.cools_at
		  AND `+noItem(warmline.WorkCoolingSoon, "c.cooling_soon_at")) + `
		SELECT c.org_id, c.id AS client_id, c.owner_id,
			format('cooling soon: %s %s in %s, cools at %s', ` + elapsedSQL + `, ` + unitWords + `, s.name, s.cooling_period) AS reason,
			c.cooling_soon_at AS episode_at, true AS actions_done, false AS notify
		FROM due c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id JOIN o ON o.id = c.org_id`

	cooled = `WITH ` + orgCalendars + `,
		` + dueClients(`c.cools_at <= $1 AND `+noItem(warmline.WorkCooled, "c.cools_at")) + `
		SELECT c.org_id, c.id AS client_id, c.owner_id,
			format('cooled: %s %s in %s, limit %s', ` + elapsedSQL + `, ` + unitWords + `, s.name, s.cooling_period) AS reason,
			c.cools_at AS episode_at, (s.cooled_reassign_to IS NULL AND s.cooled_move_to IS NULL) AS actions_done,
			s.notify_owner AND c.owner_id IS NOT NULL AS notify
		FROM due c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id JOIN o ON o.id = c.org_id`

	cooledToReassign = `SELECT w.id AS work_item_id, c.org_id, c.id AS client_id, c.owner_id AS from_owner,
			s.cooled_reassign_to AS to_owner, w.reason
		FROM work_items w JOIN clients c ON c.org_id = w.org_id AND c.id = w.client_id
		JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		JOIN users u ON u.org_id = s.org_id AND u.id = s.cooled_reassign_to AND u.active
		WHERE NOT w.actions_done AND w.closed_at IS NULL AND w.kind = 'cooled' AND c.deleted_at IS NULL AND ` + inScope + `
		  AND c.owner_id IS DISTINCT FROM s.cooled_reassign_to`

	zombiesToQueue = `SELECT c.org_id, c.id AS client_id, c.owner_id,
			format('zombie: %s contacts in %s without progress, limit %s', c.stage_contacts, s.name, s.contact_limit) AS reason,
			c.stage_entered_at AS episode_at, true AS actions_done, false AS notify
		FROM clients c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		WHERE c.deleted_at IS NULL AND s.kind = 'open' AND s.contact_limit > 0 AND c.stage_contacts >= s.contact_limit
		  AND ` + inScope + ` AND NOT c.handed_off
		  AND (s.zombie_action = 'queue' OR (s.zombie_action = 'reject' AND NOT EXISTS (
			SELECT 1 FROM stages r WHERE r.org_id = c.org_id AND r.kind = 'rejected' AND r.deleted_at IS NULL)))
		  AND ` + noItem(warmline.WorkZombie, "c.stage_entered_at")

	zombiesToReject = `SELECT c.org_id, c.id AS client_id,
			(SELECT r.id FROM stages r WHERE r.org_id = c.org_id AND r.kind = 'rejected' AND r.deleted_at IS NULL ORDER BY r.position LIMIT 1) AS to_stage_id,
			format('zombie: %s contacts in %s without progress, limit %s', c.stage_contacts, s.name, s.contact_limit) AS reason,
			NULL::bigint AS work_item_id
		FROM clients c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		WHERE c.deleted_at IS NULL AND s.kind = 'open' AND s.contact_limit > 0 AND c.stage_contacts >= s.contact_limit
		  AND s.zombie_action = 'reject' AND ` + inScope + ` AND NOT c.handed_off`

	zombiesToHandOff = `SELECT c.org_id, c.id AS client_id, s.handoff_channel, s.handoff_email, s.handoff_webhook,
			format('zombie: %s contacts in %s without progress, limit %s', c.stage_contacts, s.name, s.contact_limit) AS reason
		FROM clients c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id
		WHERE c.deleted_at IS NULL AND s.kind = 'open' AND s.contact_limit > 0 AND c.stage_contacts >= s.contact_limit
		  AND s.zombie_action = 'handoff' AND ` + inScope + ` AND NOT c.handed_off`
)

// dueSQL says, for the clients of a client scope, which steps can have
// anything to do: evaluating one client then runs this one cheap query
// and usually no step at all, instead of planning every step's statement.
// Each flag is its steps' condition, less what an earlier step of the same
// run may change: an item raised for the client's present episode (a
// deadline or a stay) holds its step back, while an open item of an older
// episode does not, since the first step may close it.
const dueSQL = `SELECT
		bool_or(EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id AND w.client_id = c.id AND w.closed_at IS NULL)) AS open,
		bool_or(EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id AND w.client_id = c.id AND w.closed_at IS NULL
			AND w.kind = 'cooled' AND NOT w.actions_done)) AS pending,
		bool_or(c.next_action_at <= $1 AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id AND w.client_id = c.id
			AND w.kind = 'callback' AND w.episode_at = c.next_action_at)) AS callback,
		bool_or(c.cooling_soon_at <= $1 AND c.cools_at > $1 AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id
			AND w.client_id = c.id AND w.kind = 'cooling_soon' AND w.episode_at = c.cooling_soon_at)) AS soon,
		bool_or(c.cools_at <= $1 AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id AND w.client_id = c.id
			AND w.kind = 'cooled' AND w.episode_at = c.cools_at)) AS cooled,
		bool_or(z.at_limit AND s.zombie_action <> 'handoff' AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.org_id = c.org_id
			AND w.client_id = c.id AND w.kind = 'zombie' AND w.episode_at = c.stage_entered_at)) AS zombie_queue,
		bool_or(z.at_limit AND s.zombie_action = 'reject') AS zombie_reject,
		bool_or(z.at_limit AND s.zombie_action = 'handoff') AS zombie_handoff,
		bool_or(EXISTS (SELECT 1 FROM call_outcomes co WHERE co.org_id = c.org_id AND co.client_id = c.id
			AND co.decided_at IS NULL AND co.due_at <= $1)) AS outcome
	FROM clients c JOIN stages s ON s.org_id = c.org_id AND s.id = c.stage_id,
		LATERAL (SELECT s.kind = 'open' AND s.contact_limit > 0 AND c.stage_contacts >= s.contact_limit AND NOT c.handed_off AS at_limit) z
	WHERE c.org_id = $2 AND c.id = ANY($3) AND c.deleted_at IS NULL`

// dueStmt is dueSQL, and clientSteps the engine's steps for a client
// scope, kept prepared.
var (
	dueStmt     = prepared(`timestamptz, bigint, bigint[]`, dueSQL)
	clientSteps = func() (out []*preparedStmt) {
		for _, st := range engineSteps {
			out = append(out, prepared(scopeParams, forClients(st.sql)))
		}
		return out
	}()
)

// manyClients are the settings, for the rest of the transaction, of a
// sweep batch (sweep.go). No JIT compilation: over many clients the
// engine's statements cost enough to be compiled, and compiling one takes
// longer (over a second) than running it; they are index lookups and hash
// joins, which compiled code does not speed up. More memory per hash and
// sort: the anti-joins of a sweep over a million clients hash hundreds of
// thousands of rows, which in the default 4 MB spill to disk in batches.
const manyClients = `SET LOCAL jit = off; SET LOCAL work_mem = '64MB'`

// evaluate runs the engine over some clients (sc.clients) at now, in tx
// (the transaction of the change that asked for it: a call ended, a
// contact, a move, an import), and answers how many events it wrote: a
// second run over the same state writes none. A whole organisation or
// stage is re-evaluated after its change has committed (reevaluate).
func evaluate(ctx context.Context, q sqlx.ExtContext, now time.Time, sc scope) (int, error) {
	if len(sc.clients) == 0 {
		return 0, nil
	}
	var d struct {
		Open, Pending, Callback, Soon, Cooled, Outcome *bool
		ZombieQueue                                    *bool `db:"zombie_queue"`
		ZombieReject                                   *bool `db:"zombie_reject"`
		ZombieHandoff                                  *bool `db:"zombie_handoff"`
	}
	if err := ensurePrepared(ctx, q); err != nil {
		return 0, fmt.Errorf("rules engine: %w", err)
	}
	if err := sqlx.GetContext(ctx, q, &d, dueStmt.run(now, sc.org, clientIDArray(sc.clients))); err != nil {
		return 0, fmt.Errorf("rules engine, what is due: %w", err)
	}
	yes := func(b *bool) bool { return b != nil && *b }
	due := map[string]bool{"open": yes(d.Open), "pending": yes(d.Pending), "callback": yes(d.Callback), "soon": yes(d.Soon),
		"cooled": yes(d.Cooled), "zombie_queue": yes(d.ZombieQueue), "zombie_reject": yes(d.ZombieReject),
		"zombie_handoff": yes(d.ZombieHandoff), "outcome": yes(d.Outcome)}
	args := sc.args(now)
	total := 0
	for i, st := range engineSteps {
		if !slices.ContainsFunc(st.need, func(n string) bool { return due[n] }) {
			continue
		}
		var n int
		var orgs pq.Int64Array
		if err := q.QueryRowxContext(ctx, clientSteps[i].run(args...)).Scan(&n, &orgs); err != nil {
			return total, fmt.Errorf("rules engine, %s: %w", st.name, err)
		}
		wakeAfterCommit(q, wakeOrgs(orgs)...)
		total += n
	}
	return total, nil
}
