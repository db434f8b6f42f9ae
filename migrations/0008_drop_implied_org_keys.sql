-- +goose Up
-- work_items and rule_actions reference their client by (org_id,
-- client_id), and a client's org_id references its organisation: their
-- own foreign key on org_id checked nothing more. It cost a per-row
-- trigger that locks the organisation's row (among the dearest triggers
-- of a rules sweep: the row every write of the organisation updates for
-- its event counter), about a tenth of raising a work item.
ALTER TABLE work_items DROP CONSTRAINT work_items_org_id_fkey;
ALTER TABLE rule_actions DROP CONSTRAINT rule_actions_org_id_fkey;
-- Deleting an organisation deletes them through its clients now, a step
-- later than its users; their references to users are therefore checked
-- at commit, when both are gone, instead of in between (a violation is
-- still an error, at commit).
ALTER TABLE work_items
    DROP CONSTRAINT work_items_org_id_owner_id_fkey,
    DROP CONSTRAINT work_items_org_id_closed_by_fkey,
    ADD CONSTRAINT work_items_org_id_owner_id_fkey FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id)
        DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT work_items_org_id_closed_by_fkey FOREIGN KEY (org_id, closed_by) REFERENCES users (org_id, id)
        DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE rule_actions
    DROP CONSTRAINT rule_actions_org_id_undone_by_fkey,
    ADD CONSTRAINT rule_actions_org_id_undone_by_fkey FOREIGN KEY (org_id, undone_by) REFERENCES users (org_id, id)
        DEFERRABLE INITIALLY DEFERRED;

-- +goose Down
ALTER TABLE rule_actions
    DROP CONSTRAINT rule_actions_org_id_undone_by_fkey,
    ADD CONSTRAINT rule_actions_org_id_undone_by_fkey FOREIGN KEY (org_id, undone_by) REFERENCES users (org_id, id);
ALTER TABLE work_items
    DROP CONSTRAINT work_items_org_id_closed_by_fkey,
    DROP CONSTRAINT work_items_org_id_owner_id_fkey,
    ADD CONSTRAINT work_items_org_id_owner_id_fkey FOREIGN KEY (org_id, owner_id) REFERENCES users (org_id, id),
    ADD CONSTRAINT work_items_org_id_closed_by_fkey FOREIGN KEY (org_id, closed_by) REFERENCES users (org_id, id);
ALTER TABLE rule_actions ADD FOREIGN KEY (org_id) REFERENCES organisations (id) ON DELETE CASCADE;
ALTER TABLE work_items ADD FOREIGN KEY (org_id) REFERENCES organisations (id) ON DELETE CASCADE;
