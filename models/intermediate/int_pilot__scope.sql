-- Pilot scope: the Bizstim ids a pilot migrates, one row per (entity, source_id). Empty in a
-- full migration (vars sample_clients and sample_pct unset), where nothing reads it.
-- Sample: current-snapshot clients ordered by md5(client id) (then id); sample_clients = N
-- takes the first N, sample_pct = p those whose first 8 hex digits of md5, read as a fraction
-- of 2^32, are below p/100 — a prefix of the same order, so a smaller pilot is contained in a
-- bigger one and the choice never depends on insertion order.
-- Closure (relations stay intact, nothing else comes in):
--   session, payment      whose client_id is a sampled client;
--   practitioner          of a current in-scope session, plus every practitioner and staff
--                         record sharing its users_id (one person; same external id as in a
--                         full run); their other clients are NOT pulled in;
--   service               of a current in-scope session or assigned to a sampled client
--                         (client/{id} service_id); service_group of an in-scope service;
--   location              of a current in-scope session;
--   availability          schedule named by an in-scope client or practitioner;
--   user                  the login (users_id) of any in-scope client/practitioner/staff;
--   note                  the notes of a sampled client (source row client_details).
{%- set sample = pilot_sample() %}
{%- if sample is none %}
    -- The pilot's inputs, so the DAG (and the unit tests, which set the vars) know them:
    -- depends_on: {{ ref('stg_bizstim__clients') }}, {{ ref('stg_bizstim__client_details') }}
    -- depends_on: {{ ref('stg_bizstim__sessions') }}, {{ ref('stg_bizstim__payments') }}
    -- depends_on: {{ ref('stg_bizstim__practitioners') }}, {{ ref('stg_bizstim__staffs') }}
    -- depends_on: {{ ref('stg_bizstim__services') }}

    select
        cast(null as varchar) as entity,
        cast(null as bigint) as source_id
    where false

{%- else %}

    with candidates as (
        select distinct
            client_id,
            md5(cast(client_id as varchar)) as sample_hash
        from {{ ref('stg_bizstim__clients') }}
        where is_in_current_snapshot and client_id is not null
    ),

    sampled_clients as (
        select client_id
        from candidates
        {%- if 'clients' in sample %}
            order by sample_hash, client_id
            limit {{ sample['clients'] }}
        {%- else %}
            where cast('0x' || left(sample_hash, 8) as ubigint)
            < {{ sample['pct'] }} / 100 * 4294967296
        {%- endif %}
    ),

    sessions as (
        select
            session_id,
            practitioner_id,
            service_id,
            location_id,
            is_in_current_snapshot
        from {{ ref('stg_bizstim__sessions') }}
        where client_id in (select sampled_clients.client_id from sampled_clients)
    ),

    payments as (
        select payment_id
        from {{ ref('stg_bizstim__payments') }}
        where client_id in (select sampled_clients.client_id from sampled_clients)
    ),

    client_records as (
        select
            client_id,
            users_id,
            avail_id
        from {{ ref('stg_bizstim__clients') }}
        where client_id in (select sampled_clients.client_id from sampled_clients)
    ),

    client_details as (
        select
            client_id,
            service_ids
        from {{ ref('stg_bizstim__client_details') }}
        where client_id in (select sampled_clients.client_id from sampled_clients)
    ),

    booked_practitioners as (
        select distinct practitioner_id
        from sessions
        where is_in_current_snapshot and practitioner_id is not null
    ),

    team_logins as (
        select distinct practitioners.users_id
        from {{ ref('stg_bizstim__practitioners') }} as practitioners
        inner join booked_practitioners as booked
            on practitioners.practitioner_id = booked.practitioner_id
        where practitioners.users_id is not null
    ),

    practitioners as (
        select
            practitioner_id,
            users_id,
            avail_ids
        from {{ ref('stg_bizstim__practitioners') }}
        where
            practitioner_id in (
                select booked.practitioner_id from booked_practitioners as booked
            )
            or users_id in (select team_logins.users_id from team_logins)
    ),

    staffs as (
        select
            staff_id,
            users_id
        from {{ ref('stg_bizstim__staffs') }}
        where users_id in (select team_logins.users_id from team_logins)
    ),

    services as (
        select service_id
        from sessions
        where is_in_current_snapshot and service_id is not null
        union
        select unnest(service_ids) as service_id
        from client_details
    ),

    service_groups as (
        select group_id
        from {{ ref('stg_bizstim__services') }}
        where
            group_id is not null
            and service_id in (select services.service_id from services)
    ),

    unioned as (
        select
            'client' as entity,
            client_id as source_id
        from sampled_clients
        union all
        select
            'note' as entity,
            client_id as source_id
        from client_details
        union all
        select
            'session' as entity,
            session_id as source_id
        from sessions
        union all
        select
            'payment' as entity,
            payment_id as source_id
        from payments
        union all
        select
            'practitioner' as entity,
            practitioner_id as source_id
        from practitioners
        union all
        select
            'staff' as entity,
            staff_id as source_id
        from staffs
        union all
        select
            'service' as entity,
            service_id as source_id
        from services
        union all
        select
            'service_group' as entity,
            group_id as source_id
        from service_groups
        union all
        select
            'location' as entity,
            location_id as source_id
        from sessions
        where is_in_current_snapshot
        union all
        select
            'availability' as entity,
            avail_id as source_id
        from client_records
        union all
        select
            'availability' as entity,
            unnest(avail_ids) as source_id
        from practitioners
        union all
        select
            'user' as entity,
            users_id as source_id
        from client_records
        union all
        select
            'user' as entity,
            users_id as source_id
        from practitioners
        union all
        select
            'user' as entity,
            users_id as source_id
        from staffs
    )

    select distinct
        entity,
        source_id
    from unioned
    where source_id is not null

{%- endif %}
