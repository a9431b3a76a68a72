-- The activity's assignee is a `user` field, like the opportunity's owner (0002): a member's user
-- id stored as a uuid; the entity engine checks membership on write.
alter table crm_activities drop constraint crm_activities_assignee_id_check;
alter table crm_activities alter column assignee_id type uuid using assignee_id::uuid;
