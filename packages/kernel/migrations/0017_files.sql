-- Files attached to records (issue 6, item 8). A file belongs to one record of one entity and has
-- one or more versions; a new upload of the same file adds a version and keeps the old ones. The
-- bytes live in a file storage (a folder under the data directory, or later an S3-compatible
-- store) under a key made only of ids; these tables say which key holds which version.

create table files (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  entity text not null check (entity ~ '^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$'),
  record_id uuid not null,
  -- the latest version's name, sanitised: a label for people, never a path
  name text not null check (length(name) between 1 and 255),
  current_version integer not null check (current_version >= 1),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  archived_at timestamptz,
  primary key (tenant_id, id)
);
select tessera_tenant_table('files');
-- a record's files, in upload order
create index files_record on files (tenant_id, entity, record_id, id);

create table file_versions (
  tenant_id uuid not null references tenants (id),
  file_id uuid not null,
  version integer not null check (version >= 1),
  name text not null check (length(name) between 1 and 255),
  size bigint not null check (size >= 0),
  -- sniffed from the bytes, never the type the client declared
  content_type text not null check (length(content_type) between 1 and 100),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key text not null check (storage_key ~ '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$'),
  created_by uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, file_id, version),
  unique (tenant_id, storage_key),
  foreign key (tenant_id, file_id) references files (tenant_id, id)
);
select tessera_tenant_table('file_versions');
-- A version, once written, is history: the application may add versions, never change or remove one.
revoke update, delete on file_versions from tessera_app;
