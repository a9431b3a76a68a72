-- Gapless document numbering (issue 5, item 5). One row per sequence: a tenant's company, a
-- document type (an entity key) and a period ('2026' for a yearly pattern, '202611' for a monthly
-- one, '' for a pattern without a date). The number is taken by an upsert inside the posting
-- transaction: the row lock it holds until commit serialises concurrent postings, and a rollback
-- gives the number back, so there are neither holes nor duplicates.
--
-- company_id is the nil uuid for a tenant-wide sequence; it is part of the primary key, so it
-- cannot be null, and therefore it cannot be a foreign key to companies either. The caller
-- checks the company; a stray id only makes a harmless sequence inside the same tenant.
create table sequences (
  tenant_id uuid not null references tenants (id),
  company_id uuid not null,
  document_type text not null check (document_type ~ '^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,62}$'),
  period text not null check (period ~ '^([0-9]{4}([0-9]{2})?)?$'),
  last_value bigint not null check (last_value >= 1),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, company_id, document_type, period)
);
select tessera_tenant_table('sequences');
