-- Imports run as jobs (issue 6, item 7): a large file, or one the client asks to run in the
-- background, becomes a row here and a job. The job imports all or nothing in one transaction
-- and writes the outcome into this row in that same transaction; the progress is written in
-- short transactions of its own while it runs, so polling shows it moving.
--
-- The uploaded file is kept in the row (file), not in the file storage: the job may run in
-- another process (`tessera worker`) that shares only the database with the API node, the file
-- and its job then appear in one commit, and the bytes go (file set to null) when the import
-- ends, so no copy of imported data outlives it.
create table imports (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  entity text not null check (entity ~ '^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$'),
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  format text not null check (format in ('csv', 'xlsx')),
  -- the column mapping as sent ({"Column header": "field_name" | null}); null: matched by name
  mapping jsonb,
  file bytea,
  total_rows integer not null check (total_rows >= 0),
  processed_rows integer not null default 0 check (processed_rows >= 0),
  created_rows integer not null default 0 check (created_rows >= 0),
  invalid_rows integer not null default 0 check (invalid_rows >= 0),
  -- every row's problems ({row, field, code, message}), the first 1000 of them
  errors jsonb not null default '[]',
  errors_truncated boolean not null default false,
  -- why the import failed as a whole ({code, message}), when it did not get to the rows
  failure jsonb,
  created_by uuid not null,
  api_key_id uuid,
  request_id text check (length(request_id) <= 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  primary key (tenant_id, id)
);
select tessera_tenant_table('imports');
-- a tenant's imports, newest first, and one member's
create index imports_recent on imports (tenant_id, id desc);
create index imports_creator on imports (tenant_id, created_by, id desc);
