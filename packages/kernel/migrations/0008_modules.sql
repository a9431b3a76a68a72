-- Which modules each tenant uses. No row means the module is inactive for the tenant: a new
-- tenant starts with none and an administrator activates what it needs. seeded_at records that
-- the module's seed ran, so activating again after a deactivation never seeds twice.
create table tenant_modules (
  tenant_id uuid not null references tenants (id),
  module text not null check (module ~ '^[a-z][a-z0-9_]{1,39}$'),
  active boolean not null default false,
  activated_at timestamptz,
  deactivated_at timestamptz,
  seeded_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, module)
);
select tessera_tenant_table('tenant_modules');
