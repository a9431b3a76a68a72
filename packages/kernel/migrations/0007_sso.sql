-- OIDC single sign-on: stricter rules on the tenant's provider, and the pending sign-ins.

-- The client secret is stored sealed (AES-256-GCM, `v1.<nonce>.<ciphertext>`), never in clear; a
-- just-in-time member can never be made an owner; at least one email domain must be allowed.
alter table sso_providers
  add constraint sso_providers_secret_sealed check (client_secret ~ '^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'),
  add constraint sso_providers_default_role check (default_role ~ '^[a-z][a-z0-9_]{0,62}$' and default_role <> 'owner'),
  add constraint sso_providers_allowed_domains check (cardinality(allowed_domains) between 1 and 50);

-- One row per sign-in sent to the provider: the hash of its `state`, the nonce the ID token must
-- carry and the PKCE verifier (sealed). The callback deletes the row it uses, so each state works
-- once; a replayed or forged callback finds nothing.
create table sso_login_attempts (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  provider_id uuid not null,
  state_hash text not null unique,
  nonce text not null check (length(nonce) between 1 and 128),
  code_verifier text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (tenant_id, id),
  foreign key (tenant_id, provider_id) references sso_providers (tenant_id, id) on delete cascade
);
select tessera_tenant_table('sso_login_attempts');
create index sso_login_attempts_expiry on sso_login_attempts (tenant_id, expires_at);
