-- CRM (issue 8): pipeline stages, leads and opportunities (one table with a type, as Odoo's
-- crm.lead), activities, the deal confidence scores with their explanations and the tenant's
-- confidence weights. Columns and checks mirror src/entities/: the definitions validate first,
-- these constraints are the last line of defence.

create table crm_stages (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  name text not null check (length(name) between 1 and 100),
  sequence integer not null default 10,
  probability integer not null default 10 check (probability between 0 and 100),
  is_won boolean not null default false,
  is_lost boolean not null default false,
  required_fields text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  archived_at timestamptz,
  custom jsonb not null default '{}' check (jsonb_typeof(custom) = 'object'),
  primary key (tenant_id, id),
  constraint crm_stages_won_or_lost check (not (is_won and is_lost))
);
select tessera_tenant_table('crm_stages');
create unique index crm_stages_name_unique on crm_stages (tenant_id, lower(name));
create index crm_stages_sequence on crm_stages (tenant_id, sequence, id);

create table crm_opportunities (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  type text not null default 'lead' check (type in ('lead', 'opportunity')),
  name text not null check (length(name) between 1 and 200),
  contact_id uuid,
  organization_id uuid,
  contact_name text check (length(contact_name) <= 200),
  company_name text check (length(company_name) <= 200),
  email text check (length(email) <= 254),
  phone text check (length(phone) <= 40),
  source text,
  expected_revenue numeric(20, 4) check (expected_revenue >= 0),
  expected_revenue_currency char(3) references currencies (code),
  expected_close_date date,
  -- a member's user id; text, as the entity's text field filters and compares it
  owner_id text check (owner_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  stage_id uuid,
  lost_reason text check (length(lost_reason) <= 500),
  description text check (length(description) <= 20000),
  closed_at timestamptz,
  state text not null default 'open' check (state in ('open', 'won', 'lost')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  archived_at timestamptz,
  custom jsonb not null default '{}' check (jsonb_typeof(custom) = 'object'),
  primary key (tenant_id, id),
  foreign key (tenant_id, contact_id) references partners (tenant_id, id),
  foreign key (tenant_id, organization_id) references partners (tenant_id, id),
  foreign key (tenant_id, stage_id) references crm_stages (tenant_id, id),
  constraint crm_opportunities_money check ((expected_revenue is null) = (expected_revenue_currency is null))
);
select tessera_tenant_table('crm_opportunities');
create index crm_opportunities_stage on crm_opportunities (tenant_id, stage_id);
create index crm_opportunities_owner on crm_opportunities (tenant_id, owner_id);
create index crm_opportunities_contact on crm_opportunities (tenant_id, contact_id);
create index crm_opportunities_organization on crm_opportunities (tenant_id, organization_id);
create index crm_opportunities_created on crm_opportunities (tenant_id, created_at, id);

create table crm_activities (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  type text not null default 'task' check (type in ('call', 'meeting', 'email', 'task', 'note')),
  subject text not null check (length(subject) between 1 and 200),
  note text check (length(note) <= 20000),
  due_date date,
  assignee_id text check (assignee_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  done boolean not null default false,
  opportunity_id uuid,
  partner_id uuid,
  is_proposal boolean not null default false,
  opens integer not null default 0 check (opens >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by uuid,
  updated_by uuid,
  version integer not null default 1,
  custom jsonb not null default '{}' check (jsonb_typeof(custom) = 'object'),
  primary key (tenant_id, id),
  foreign key (tenant_id, opportunity_id) references crm_opportunities (tenant_id, id) on delete cascade,
  foreign key (tenant_id, partner_id) references partners (tenant_id, id),
  constraint crm_activities_linked check (opportunity_id is not null or partner_id is not null)
);
select tessera_tenant_table('crm_activities');
create index crm_activities_opportunity on crm_activities (tenant_id, opportunity_id, created_at);
create index crm_activities_partner on crm_activities (tenant_id, partner_id, created_at);
create index crm_activities_assignee on crm_activities (tenant_id, assignee_id, done, due_date);

-- Each score with the signals that made it; a row only when the score or its reasons change,
-- so the previous row tells whether confidence dropped.
create table crm_confidence_scores (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  opportunity_id uuid not null,
  score integer not null check (score between 0 and 100),
  signals jsonb not null check (jsonb_typeof(signals) = 'array'),
  computed_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, opportunity_id) references crm_opportunities (tenant_id, id) on delete cascade
);
select tessera_tenant_table('crm_confidence_scores');
create index crm_confidence_scores_latest on crm_confidence_scores (tenant_id, opportunity_id, computed_at desc, id desc);

-- The tenant's confidence weights (one row; absent: the defaults of src/services/confidence-weights.ts).
create table crm_settings (
  tenant_id uuid not null references tenants (id),
  confidence_weights jsonb not null check (jsonb_typeof(confidence_weights) = 'object'),
  updated_at timestamptz not null default now(),
  updated_by uuid,
  primary key (tenant_id)
);
select tessera_tenant_table('crm_settings');
