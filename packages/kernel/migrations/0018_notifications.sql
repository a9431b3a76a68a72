-- In-app and email notifications per member (issue 6, item 5). A notification belongs to a user
-- within the tenant; routes only ever show a member their own.
create table notifications (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  user_id uuid not null,
  type text not null check (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_-]*)+$'),
  title text not null check (length(title) between 1 and 200),
  body text check (length(body) <= 2000),
  link text check (length(link) <= 500),
  entity text,
  record_id uuid,
  in_app boolean not null default true,
  -- null: no email wanted; pending: to send after the commit; sent / failed
  email_status text check (email_status in ('pending', 'sent', 'failed')),
  read_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
select tessera_tenant_table('notifications');
create index notifications_inbox on notifications (tenant_id, user_id, id desc) where in_app;
create index notifications_email_pending on notifications (tenant_id, id) where email_status = 'pending';

-- A member's choice of channels per notification type; absent: in-app only.
create table notification_preferences (
  tenant_id uuid not null references tenants (id),
  user_id uuid not null,
  type text not null check (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_-]*)+$'),
  in_app boolean not null,
  email boolean not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id, type)
);
select tessera_tenant_table('notification_preferences');
