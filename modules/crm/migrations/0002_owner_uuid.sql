-- The opportunity's owner is a `user` field: a member's user id, stored as a uuid like every other
-- id (the entity engine checks membership on write; the regular expression is no longer needed).
alter table crm_opportunities drop constraint crm_opportunities_owner_id_check;
alter table crm_opportunities alter column owner_id type uuid using owner_id::uuid;
