-- +goose Up
-- Deleting an organisation deletes its users and, through its clients,
-- the rows that name those users (who moved a client, who made a call or
-- an import, who owns a client). Checked row by row, a reference from
-- a row still waiting for its own cascade to a user already deleted failed
-- the whole delete (found deleting an organisation whose clients had been
-- moved by hand). Checked at commit, when both are gone, it passes; a
-- reference that is really left dangling is still an error, at commit.
-- Users are never deleted by the product (they are deactivated), and every
-- store checks the users it is given before writing, so no answer changes.
-- 0008 did the same for work_items and rule_actions.
ALTER TABLE stages ALTER CONSTRAINT stages_org_id_cooled_reassign_to_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE clients ALTER CONSTRAINT clients_org_id_owner_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE stage_transitions ALTER CONSTRAINT stage_transitions_org_id_actor_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE imports ALTER CONSTRAINT imports_org_id_created_by_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE calls ALTER CONSTRAINT calls_org_id_agent_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE contacts ALTER CONSTRAINT contacts_org_id_user_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- +goose Down
ALTER TABLE contacts ALTER CONSTRAINT contacts_org_id_user_id_fkey NOT DEFERRABLE;
ALTER TABLE calls ALTER CONSTRAINT calls_org_id_agent_id_fkey NOT DEFERRABLE;
ALTER TABLE imports ALTER CONSTRAINT imports_org_id_created_by_fkey NOT DEFERRABLE;
ALTER TABLE stage_transitions ALTER CONSTRAINT stage_transitions_org_id_actor_id_fkey NOT DEFERRABLE;
ALTER TABLE clients ALTER CONSTRAINT clients_org_id_owner_id_fkey NOT DEFERRABLE;
ALTER TABLE stages ALTER CONSTRAINT stages_org_id_cooled_reassign_to_fkey NOT DEFERRABLE;
