-- MFA (TOTP): a per-user limit on wrong second-factor codes, and the tenant's MFA policy.

-- Wrong TOTP codes per user, across every login challenge and tenant: a challenge allows 5 attempts,
-- but anyone holding the password can ask for new challenges, so the limit that matters is the user's.
-- The application role never sees these columns (no grant), like the rest of the TOTP state.
alter table users
  add column totp_failures integer not null default 0 check (totp_failures >= 0),
  add column totp_failures_since timestamptz;

-- tenants.settings.mfa: who must use a second factor. Absent means 'optional'.
alter table tenants add constraint tenants_settings_mfa
  check (settings->>'mfa' is null or settings->>'mfa' in ('optional', 'admins', 'everyone'));
