-- Exchange rates per tenant (issue 8): one unit of `base` is worth `rate` units of `quote` from
-- `valid_on` until a later rate of the same pair. Rates are entered by the tenant (or an importer
-- it runs); the kernel fetches nothing. Conversions read the latest rate on or before a date.
create table exchange_rates (
  tenant_id uuid not null references tenants (id),
  id uuid not null,
  base char(3) not null references currencies (code),
  quote char(3) not null references currencies (code),
  rate numeric(28, 12) not null check (rate > 0),
  valid_on date not null,
  created_at timestamptz not null default now(),
  created_by uuid,
  primary key (tenant_id, id),
  constraint exchange_rates_distinct_pair check (base <> quote)
);
select tessera_tenant_table('exchange_rates');
-- one rate per pair and day; the latest-rate lookup walks this index backwards
create unique index exchange_rates_pair_day_unique on exchange_rates (tenant_id, base, quote, valid_on);
