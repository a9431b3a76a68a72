-- Record rules and field-level security (issue 4, items 3 and 4). Both name a role by its text key
-- (as memberships.roles does) and an entity by its key (`kernel.company`, `sales.order`); the
-- entity's metadata is code, so neither can be a foreign key. A rule for a role nobody holds is
-- inert.

-- A filter in the kernel's filter language, stored as the administrator wrote it and validated
-- against the entity's metadata when saved. A member sees a row of the entity when any rule of
-- any of their roles allows it; a role with no rule for the entity allows every row.
create table record_rules (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  role text not null check (role ~ '^[a-z][a-z0-9_]{1,39}$'),
  entity text not null check (entity ~ '^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$'),
  filter text not null check (length(filter) between 1 and 4000),
  description text check (length(description) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, id)
);
select tessera_tenant_table('record_rules');
create index record_rules_lookup on record_rules (tenant_id, entity, role);

-- A field a role may not see (hidden) or not change (read_only). One rule per role, entity and field.
create table field_rules (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  role text not null check (role ~ '^[a-z][a-z0-9_]{1,39}$'),
  entity text not null check (entity ~ '^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$'),
  field text not null check (field ~ '^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$'),
  access text not null check (access in ('hidden', 'read_only')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, id),
  unique (tenant_id, role, entity, field)
);
select tessera_tenant_table('field_rules');
create index field_rules_lookup on field_rules (tenant_id, entity, role);

-- The kernel.member entity as one relation: a membership with its user's email and name, so record
-- rules (`email ends …`, `status = 'active'`) and references compile against a single alias like
-- any other entity. security_invoker makes the view read with the caller's rights, so the
-- memberships policy (tenant) and the users policy (members of the current tenant, never the
-- secret columns) apply exactly as they do to the tables.
create view member_directory with (security_invoker = true) as
  select m.tenant_id, m.id, m.user_id, u.email, u.name, m.status, m.roles, m.created_at, m.updated_at
    from memberships m
    join users u on u.id = m.user_id;
grant select on member_directory to tessera_app;
