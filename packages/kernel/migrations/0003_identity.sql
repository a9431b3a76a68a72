-- Identity: global users, the directory of which tenants a user belongs to, and the tenant-scoped
-- memberships, sessions, refresh tokens, MFA challenges, API keys, SSO providers and security events.

-- Users are global identities: one person, one login, many tenants. The application role sees a user
-- only while that user is a member of the current tenant, and never the secrets columns.
create table users (
  id uuid primary key,
  email text not null check (length(email) between 3 and 254 and email !~ '\s'),
  email_normalized text not null unique check (email_normalized = lower(email)),
  name text not null check (length(name) between 1 and 200),
  locale text not null default 'en' check (locale ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
  timezone text not null default 'UTC' check (length(timezone) between 1 and 64),
  password_hash text,
  email_verified_at timestamptz,
  -- TOTP: the seed is sealed (AES-256-GCM, bound to the user id) before it is stored
  totp_secret text,
  totp_enabled_at timestamptz,
  totp_last_step bigint,
  backup_codes text[],
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table users enable row level security;

-- Failed logins per email address, known or not, so that throttling and lockout behave the same
-- for an unknown address as for a real account (no enumeration through timing or lock messages).
create table login_throttle (
  email_normalized text primary key,
  failures integer not null default 0,
  first_failed_at timestamptz not null default now(),
  locked_until timestamptz
);

-- Which tenants a user belongs to, for login ("choose a tenant") before any tenant is set.
-- Maintained only by the trigger on memberships; the application role cannot touch it.
create table user_tenants (
  user_id uuid not null references users (id),
  tenant_id uuid not null references tenants (id),
  primary key (user_id, tenant_id)
);

create table memberships (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  user_id uuid not null references users (id),
  roles text[] not null default '{}',
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, id),
  unique (tenant_id, user_id)
);
select tessera_tenant_table('memberships');

create policy member_of_current_tenant on users for select to tessera_app
  using (exists (select 1 from memberships m where m.user_id = users.id));
grant select (id, email, name, locale, timezone, email_verified_at, totp_enabled_at, created_at) on users to tessera_app;

create function tessera_sync_user_tenants() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    insert into user_tenants (user_id, tenant_id) values (new.user_id, new.tenant_id) on conflict do nothing;
  elsif tg_op = 'DELETE' then
    delete from user_tenants where user_id = old.user_id and tenant_id = old.tenant_id;
  end if;
  return null;
end $$;
revoke all on function tessera_sync_user_tenants() from public;
create trigger memberships_directory after insert or delete on memberships
  for each row execute function tessera_sync_user_tenants();

create table sessions (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  user_id uuid not null references users (id),
  user_agent text check (length(user_agent) <= 512),
  ip text check (length(ip) <= 64),
  auth_method text not null check (auth_method in ('password', 'sso')),
  -- the web app's cookie credential (hash of <tenant>.<session>.<secret>)
  cookie_hash text not null unique,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  primary key (tenant_id, id)
);
select tessera_tenant_table('sessions');
create index sessions_user on sessions (tenant_id, user_id) where revoked_at is null;

-- Refresh tokens are single use: each refresh marks its token used and issues the next one.
-- Presenting a used token again means it was stolen: the whole session is revoked.
create table refresh_tokens (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  session_id uuid not null,
  token_hash text not null unique,
  created_at timestamptz not null default now(),
  used_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, session_id) references sessions (tenant_id, id)
);
select tessera_tenant_table('refresh_tokens');

-- The second login step: a short-lived challenge after a correct password, limited in attempts.
create table mfa_challenges (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  user_id uuid not null references users (id),
  token_hash text not null unique,
  attempts integer not null default 0,
  expires_at timestamptz not null,
  used_at timestamptz,
  user_agent text,
  ip text,
  primary key (tenant_id, id)
);
select tessera_tenant_table('mfa_challenges');

-- Password reset and email verification: global, like the user they belong to.
create table user_tokens (
  id uuid primary key,
  user_id uuid not null references users (id),
  purpose text not null check (purpose in ('password_reset', 'email_verification')),
  token_hash text not null unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);

create table api_keys (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  user_id uuid not null references users (id),
  name text not null check (length(name) between 1 and 100),
  prefix text not null,
  secret_hash text not null unique,
  roles text[] not null default '{}',
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
select tessera_tenant_table('api_keys');

create table sso_providers (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  issuer text not null check (issuer ~ '^https?://' and length(issuer) <= 2048),
  client_id text not null check (length(client_id) between 1 and 512),
  client_secret text not null,
  allowed_domains text[] not null default '{}',
  default_role text not null default 'user',
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id)
);
select tessera_tenant_table('sso_providers');

-- Security events are append-only for the application: no update, no delete.
create table security_events (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  type text not null check (type ~ '^[a-z_.]+$'),
  user_id uuid,
  api_key_id uuid,
  ip text,
  user_agent text,
  details jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
select tessera_tenant_table('security_events');
revoke update, delete on security_events from tessera_app;
create index security_events_recent on security_events (tenant_id, created_at desc);
