-- Roles and multi-company (issue 4, items 2 and 5): the tenant's roles (templates and its own),
-- the companies each member may work in, and the member's current company.

-- A permission as roles store it: `<module>.<entity>:<action>`, or `*` (every permission except
-- the owner-only ones).
create function tessera_permissions_valid(permissions text[]) returns boolean
language sql immutable as $$
  select coalesce(bool_and(p ~ '^(\*|[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[a-z][a-z0-9_-]*)$'), true)
    from unnest(permissions) p
$$;

-- origin: null for a role the tenant defined, `kernel` or a module's name for a template, whose
-- definition is code (read-only over the API, refreshed when its module is activated).
create table roles (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  key text not null check (key ~ '^[a-z][a-z0-9_]{1,39}$'),
  name text not null check (length(name) between 1 and 100),
  description text check (length(description) <= 500),
  permissions text[] not null default '{}'
    check (cardinality(permissions) <= 1000 and tessera_permissions_valid(permissions)),
  origin text check (origin ~ '^[a-z][a-z0-9_]{1,39}$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, id),
  unique (tenant_id, key)
);
select tessera_tenant_table('roles');

-- The companies a member may work in. Company-scoped records are visible only within them.
create table membership_companies (
  tenant_id uuid not null references tenants (id),
  membership_id uuid not null,
  company_id uuid not null,
  created_at timestamptz not null default now(),
  created_by uuid,
  primary key (tenant_id, membership_id, company_id),
  foreign key (tenant_id, membership_id) references memberships (tenant_id, id) on delete cascade,
  foreign key (tenant_id, company_id) references companies (tenant_id, id)
);
select tessera_tenant_table('membership_companies');
create index membership_companies_company on membership_companies (tenant_id, company_id);

-- The member's current company, the default for new records. The foreign key goes through the
-- member's allowed companies, so the current company is always one of them (and of the tenant).
alter table memberships
  add column current_company_id uuid,
  add constraint memberships_current_company_allowed
    foreign key (tenant_id, id, current_company_id)
    references membership_companies (tenant_id, membership_id, company_id);

-- Role keys are text in memberships.roles and api_keys.roles (arrays cannot carry foreign keys):
-- these triggers keep them pointing at roles of the same tenant.
create function tessera_role_keys_exist() returns trigger
language plpgsql as $$
declare
  missing text;
begin
  select k into missing from unnest(new.roles) k
   where not exists (select 1 from roles r where r.tenant_id = new.tenant_id and r.key = k)
   limit 1;
  if missing is not null then
    raise exception 'role % does not exist in this tenant', missing using errcode = '23503';
  end if;
  return new;
end $$;
create trigger memberships_role_keys before insert or update of roles on memberships
  for each row execute function tessera_role_keys_exist();
create trigger api_keys_role_keys before insert or update of roles on api_keys
  for each row execute function tessera_role_keys_exist();

-- A role's key never changes, and a role still held (by a member, a live API key or as the
-- single sign-on default) cannot be deleted.
create function tessera_role_guard() returns trigger
language plpgsql as $$
declare
  k text := old.key;
begin
  if tg_op = 'UPDATE' then
    if new.key <> old.key then
      raise exception 'a role key cannot change' using errcode = '23514';
    end if;
    return new;
  end if;
  if exists (select 1 from memberships m where m.tenant_id = old.tenant_id and k = any (m.roles))
     or exists (select 1 from api_keys a where a.tenant_id = old.tenant_id and a.revoked_at is null and k = any (a.roles))
     or exists (select 1 from sso_providers s where s.tenant_id = old.tenant_id and s.default_role = k) then
    raise exception 'role % is still in use', k using errcode = '23503';
  end if;
  return old;
end $$;
create trigger roles_guard before update of key or delete on roles
  for each row execute function tessera_role_guard();

-- Existing tenants: the kernel's role templates (as packages/kernel/src/access/templates.ts
-- defines them), a role without rights for any other key already in use, every company for
-- every member (what they could see before) and the oldest as current company.
do $$
declare
  t record;
begin
  for t in select id from tenants loop
    perform set_config('app.tenant_id', t.id::text, true);
    insert into roles (tenant_id, id, key, name, description, permissions, origin) values
      (t.id, gen_random_uuid(), 'owner', 'Owner', 'Every permission, including making other members owners.',
       '{*,kernel.ownership:transfer}', 'kernel'),
      (t.id, gen_random_uuid(), 'admin', 'Admin', 'Every permission except the owner''s.', '{*}', 'kernel'),
      (t.id, gen_random_uuid(), 'manager', 'Manager', 'Reads members, roles, companies, settings and the audit trail.',
       '{kernel.member:read,kernel.role:read,kernel.company:read,kernel.settings:read,kernel.audit:read,kernel.webhook:read,kernel.access_rule:read}',
       'kernel'),
      (t.id, gen_random_uuid(), 'user', 'User', 'A member: sees colleagues and companies.',
       '{kernel.member:read,kernel.company:read}', 'kernel');
    insert into roles (tenant_id, id, key, name, description)
      select t.id, gen_random_uuid(), k, k, 'Created when roles were introduced: it held no defined rights.'
        from (select unnest(roles) as k from memberships
              union select unnest(roles) from api_keys
              union select default_role from sso_providers) used
       where k ~ '^[a-z][a-z0-9_]{1,39}$'
         and not exists (select 1 from roles r where r.key = used.k);
    insert into membership_companies (tenant_id, membership_id, company_id)
      select t.id, m.id, c.id from memberships m cross join companies c;
    update memberships m
       set current_company_id = (select c.id from companies c order by c.created_at, c.id limit 1);
  end loop;
  perform set_config('app.tenant_id', '', true);
end $$;
