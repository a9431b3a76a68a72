-- Idempotency keys (issue 5, item 6; DESIGN.md, HTTP API). A POST carrying `Idempotency-Key`
-- stores its response here in the same transaction as its write, so a retry — even after the app
-- died between commit and response — gets the first response instead of a second write. Keys are
-- scoped per tenant and caller (`user:<id>` or `api_key:<id>`) and kept at least 24 hours.
-- request_hash is sha256 of method, path and canonical body: the same key with another request
-- is refused. Only responses below 500 are kept: a failed write rolls back together with its key.
create table idempotency_keys (
  tenant_id uuid not null references tenants (id),
  caller text not null check (length(caller) between 1 and 100),
  key text not null check (length(key) between 1 and 255),
  request_hash text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  status_code integer not null check (status_code between 100 and 499),
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, caller, key)
);
select tessera_tenant_table('idempotency_keys');
-- the purge deletes by age, tenant by tenant
create index idempotency_keys_age on idempotency_keys (tenant_id, created_at);
