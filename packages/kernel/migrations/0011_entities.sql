-- The entity engine's own storage (issue 5): tenant-defined entities and fields as data, the rows of
-- custom entities, values that must be unique although they live in jsonb, and many-to-many links.
-- Code-defined entities get their own tables from their module's migrations.

-- A tenant-defined entity, e.g. a clinic's `custom.patient`. Its fields are custom_fields rows.
create table custom_entities (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  key text not null check (key ~ '^custom\.[a-z][a-z0-9_]{0,62}$'),
  resource text not null check (resource ~ '^[a-z][a-z0-9-]{0,62}$'),
  label text not null check (length(label) between 1 and 100),
  plural_label text not null check (length(plural_label) between 1 and 100),
  description text check (length(description) <= 1000),
  display_field text,
  company_scoped boolean not null default false,
  -- states and transitions without code: {initial, states: [{key,label,locked}], transitions: [...]}
  workflow jsonb,
  layout jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, id),
  unique (tenant_id, key),
  unique (tenant_id, resource)
);
select tessera_tenant_table('custom_entities');

-- A tenant-defined field: of a code entity (stored in the row's `custom` jsonb) or of a custom
-- entity (stored in `records.data`). Removing a field sets removed_at: the values stay in the rows,
-- unreadable, until the field is purged; restoring it brings them back.
create table custom_fields (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  entity text not null check (entity ~ '^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$'),
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,62}$'),
  type text not null,
  label text not null check (length(label) between 1 and 100),
  -- the rest of the FieldDefinition: required, unique, min, max, options, target, ...
  definition jsonb not null default '{}',
  position integer not null default 0,
  removed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, id),
  unique (tenant_id, entity, key)
);
select tessera_tenant_table('custom_fields');

-- The rows of every custom entity. One table, so a new entity needs no DDL (the app role owns
-- nothing and cannot create tables); `entity` says which entity a row belongs to.
create table records (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  entity text not null,
  data jsonb not null default '{}' check (jsonb_typeof(data) = 'object'),
  company_id uuid,
  state text,
  number text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  archived_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, company_id) references companies (tenant_id, id)
);
select tessera_tenant_table('records');
create index records_by_entity on records (tenant_id, entity, id);
-- containment and key lookups on any field (`data @> '{"code": "X"}'`) without one index per field
create index records_data on records using gin (data jsonb_path_ops);

-- Values that must be unique per tenant although they live in jsonb (custom fields marked unique,
-- on code or custom entities). The primary key is what enforces it, under concurrency too.
create table unique_values (
  tenant_id uuid not null references tenants (id),
  entity text not null,
  field text not null,
  value text not null,
  record_id uuid not null,
  primary key (tenant_id, entity, field, value)
);
select tessera_tenant_table('unique_values');
create index unique_values_by_record on unique_values (tenant_id, record_id);

-- Many-to-many fields of every entity: which targets a record's field holds, in order.
create table entity_links (
  tenant_id uuid not null references tenants (id),
  entity text not null,
  field text not null,
  record_id uuid not null,
  target_id uuid not null,
  position integer not null default 0,
  primary key (tenant_id, entity, field, record_id, target_id)
);
select tessera_tenant_table('entity_links');
create index entity_links_by_target on entity_links (tenant_id, target_id);
