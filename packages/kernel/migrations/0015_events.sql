-- Domain events, webhooks and per-tenant job schedules (issue 6, items 2 to 4).

-- The outbox: every entity write inserts its event here in the write's own transaction, so an
-- event exists exactly when its change committed. The dispatcher delivers each row at least once
-- (in-process subscribers, NATS, webhooks) and then sets delivered_at; a crash in between leaves
-- the row undelivered, and delivery resumes from it. next_attempt_at is both a short lease (a
-- dispatcher working on a row pushes it forward) and the back-off after a failed delivery.
create table event_outbox (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  type text not null check (length(type) between 3 and 200),
  entity text not null,
  record_id uuid,
  payload jsonb not null,
  actor_user_id uuid,
  actor_api_key_id uuid,
  request_id text check (length(request_id) <= 200),
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  last_error text check (length(last_error) <= 2000),
  primary key (tenant_id, id)
);
select tessera_tenant_table('event_outbox');
create index event_outbox_due on event_outbox (tenant_id, next_attempt_at, id) where delivered_at is null;

-- Which events each in-process subscriber has processed. A subscriber's effect and its receipt
-- commit in one transaction, so an event delivered twice takes effect once.
create table event_receipts (
  tenant_id uuid not null references tenants (id),
  subscriber text not null check (length(subscriber) between 1 and 200),
  event_id uuid not null,
  processed_at timestamptz not null default now(),
  primary key (tenant_id, subscriber, event_id)
);
select tessera_tenant_table('event_receipts');

-- The tenants, among `tenant_ids`, with an event due for delivery. Runs as the application role:
-- row-level security applies to every probe, one tenant at a time, exactly as withTenant would
-- set it, so this reads nothing the role could not read already; it only saves a round trip per
-- tenant on every tick of the dispatcher.
create function event_outbox_due_tenants(tenant_ids uuid[]) returns setof uuid
language plpgsql as $$
declare
  t uuid;
begin
  foreach t in array tenant_ids loop
    perform set_config('app.tenant_id', t::text, true);
    if exists (select 1 from event_outbox where delivered_at is null and next_attempt_at <= now()) then
      return next t;
    end if;
  end loop;
  perform set_config('app.tenant_id', '', true);
end $$;
revoke all on function event_outbox_due_tenants(uuid[]) from public;
grant execute on function event_outbox_due_tenants(uuid[]) to tessera_app;

-- Webhook subscriptions: a URL and the event types it receives (`partners.partner.created`,
-- `partners.partner.*`, `*`). The signing secret is sealed with the server secret (AES-GCM bound
-- to the row), shown once at creation. created_by is whose rights and field masks the deliveries
-- follow: a webhook never sends what its creator may not read.
create table webhooks (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  url text not null check (length(url) between 8 and 2000),
  events text[] not null check (cardinality(events) between 1 and 50),
  description text check (length(description) <= 500),
  secret_sealed text not null,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  primary key (tenant_id, id)
);
select tessera_tenant_table('webhooks');

-- One row per (event, webhook): its attempts, the last answer and when the next try is due.
-- body is the exact JSON sent on every attempt (the signature covers a fresh timestamp each time).
create table webhook_deliveries (
  tenant_id uuid not null,
  id uuid not null,
  webhook_id uuid not null,
  event_id uuid not null,
  event_type text not null,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'retrying', 'succeeded', 'dead')),
  attempts integer not null default 0 check (attempts >= 0),
  http_status integer,
  duration_ms integer,
  response_excerpt text check (length(response_excerpt) <= 1024),
  error text check (length(error) <= 1000),
  last_attempt_at timestamptz,
  next_attempt_at timestamptz,
  retry_until timestamptz not null default now() + interval '24 hours',
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, webhook_id, event_id),
  foreign key (tenant_id, webhook_id) references webhooks (tenant_id, id) on delete cascade
);
select tessera_tenant_table('webhook_deliveries');
create index webhook_deliveries_recent on webhook_deliveries (tenant_id, webhook_id, id desc);

-- Cron schedules per tenant: each minute the worker enqueues the job of every schedule due then.
create table job_schedules (
  tenant_id uuid not null references tenants (id),
  name text not null check (length(name) between 1 and 100),
  cron text not null check (length(cron) between 9 and 100),
  timezone text not null default 'UTC',
  data jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, name)
);
select tessera_tenant_table('job_schedules');
