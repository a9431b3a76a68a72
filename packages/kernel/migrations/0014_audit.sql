-- The audit trail (issue 6, item 1). Every create, update, delete, archive and workflow action on
-- an entity, and every security event, appends one row here in the transaction that made it.
--
-- Each tenant's rows form a hash chain: `seq` counts 1, 2, 3, ... without gaps, and `hash` is
-- sha256 (hex) of the row's canonical JSON content followed by `prev_hash`, the hash of the row
-- before (64 zeros for seq 1). The hashes are computed in TypeScript (packages/kernel/src/audit),
-- so the time is stored as the exact ISO 8601 text that was hashed, not as a timestamptz.
-- `tessera audit verify --tenant SLUG` recomputes the chain.
--
-- Insert-only: the application role may read and insert, nothing else, and a trigger refuses
-- UPDATE, DELETE and TRUNCATE for every role, the owner included. There is no escape hatch in a
-- setting (the application role can set any custom setting); a future purge tool has to run as
-- the table owner and disable the trigger inside its own transaction, which leaves a trace in
-- the chain (verification fails where rows were removed) unless it re-anchors it on purpose.
create table audit_log (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  seq bigint not null check (seq >= 1),
  occurred_at text not null check (occurred_at ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$'),
  -- who: the member (their user id) and, for a request made with an API key, the key
  user_id uuid,
  api_key_id uuid,
  request_id text check (length(request_id) between 1 and 200),
  -- what: an entity key (`catalog.item`, `custom.x`), or `kernel.security_event`
  entity text not null check (entity ~ '^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$'),
  record_id uuid not null,
  action text not null check (action ~ '^[a-z][a-z0-9_.-]{0,99}$'),
  -- the changed fields only: before and after an update; all set fields of a created record
  -- (old_values null); the last values of a deleted one (new_values null)
  old_values jsonb,
  new_values jsonb,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  primary key (tenant_id, id),
  unique (tenant_id, seq)
);
select tessera_tenant_table('audit_log');
revoke update, delete on audit_log from tessera_app;
-- a record's history, and the trail of one member
create index audit_log_record on audit_log (tenant_id, entity, record_id, seq);
create index audit_log_member on audit_log (tenant_id, user_id, seq);

create function tessera_audit_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'the audit trail is append-only: % refused', tg_op using errcode = '42501';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function tessera_audit_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function tessera_audit_append_only();

-- The head of each tenant's chain: the last seq and hash. Appending takes this row's lock
-- (an upsert) and holds it until commit, so two concurrent writers of one tenant never fork
-- the chain or skip a number, and a rolled-back write gives its number back. Verification
-- compares it with the last row, so rows removed from the end are noticed too.
create table audit_heads (
  tenant_id uuid not null references tenants (id),
  seq bigint not null check (seq >= 0),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  primary key (tenant_id)
);
select tessera_tenant_table('audit_heads');
revoke delete on audit_heads from tessera_app;
