-- The Salesforce side of migration__quarantine (same columns): every row
-- int_salesforce__dispositions quarantines (impact record_not_migrated), and every value a
-- migrated Salesforce record carries only as typed (impact value_kept_raw): the kept-raw notes
-- of int_salesforce__people (Contact / Lead: invalid e-mail, unparseable phone, extension, a
-- value that is not a date / number, a value too long for its field, all in
-- Bizstim_Values_Kept_Raw__c), of int_salesforce__services (Product2) and of
-- int_salesforce__events (Event: kept in Description), and the availability windows whose
-- start / end date is not a date (left empty: open-ended).
with records as (
    select
        object_name,
        source_table,
        source_id,
        rule,
        reason,
        'record_not_migrated' as impact
    from {{ ref('int_salesforce__dispositions') }}
    where disposition = 'quarantined'
),

-- each note list unnested into its struct's columns: source_field, raw_value, reason, rule
person_note_rows as (
    select
        salesforce_object,
        person_external_id,
        unnest(kept_raw_notes, recursive := true)  -- noqa: AL03
    from {{ ref('int_salesforce__people') }}
    where quarantine_rule is null
),

service_note_rows as (
    select
        service_id,
        unnest(kept_raw_notes, recursive := true)  -- noqa: AL03
    from {{ ref('int_salesforce__services') }}
    where quarantine_rule is null
),

event_note_rows as (
    select
        session_id,
        unnest(kept_raw_notes, recursive := true)  -- noqa: AL03
    from {{ ref('int_salesforce__events') }}
    where quarantine_rule is null
),

person_notes as (
    select
        salesforce_object as object_name,
        'people' as source_table,
        person_external_id as source_id,
        rule,
        source_field || ' "' || raw_value || '" of ' || person_external_id || ': ' || reason
        || '; kept as typed in Bizstim_Values_Kept_Raw__c.' as reason,
        'value_kept_raw' as impact
    from person_note_rows
),

service_notes as (
    select
        'Product2' as object_name,
        'services' as source_table,
        cast(service_id as varchar) as source_id,
        rule,
        source_field || ' "' || raw_value || '" of service ' || service_id || ': ' || reason
        || '; kept as typed in Bizstim_Values_Kept_Raw__c.' as reason,
        'value_kept_raw' as impact
    from service_note_rows
),

event_notes as (
    select
        'Event' as object_name,
        'sessions' as source_table,
        cast(session_id as varchar) as source_id,
        rule,
        source_field || ' "' || raw_value || '" of session ' || session_id || ': ' || reason
        || '; kept as typed in the Event''s Description.' as reason,
        'value_kept_raw' as impact
    from event_note_rows
),

undated_windows as (
    {%- for edge, raw_column, typed_column, field in [
        ('start', 'valid_from_raw', 'valid_from', 'Valid_From__c'),
        ('end', 'valid_until_raw', 'valid_until', 'Valid_Until__c'),
    ] %}
        {{ "union all" if not loop.first }}
        select
            'Bizstim_Availability__c' as object_name,
            'availability (schedule x weekday)' as source_table,
            windows.availability_id || ':' || lower(windows.day_of_week) as source_id,
            case
                when windows.{{ raw_column }} = '0000-00-00' then 'zero_date_left_empty'
                else 'value_not_typed_left_empty'
            end as rule,
            'Availability schedule ' || windows.availability_id || ', ' || windows.day_label
            || ': {{ edge }} date "' || windows.{{ raw_column }} || '" is not a date; '
            || '{{ field }} is left empty, so the window has no {{ edge }} date.' as reason,
            'value_kept_raw' as impact
        from {{ ref('int_availability__windows') }} as windows
        inner join {{ ref('salesforce__availability') }} as migrated
            on windows.window_external_id = migrated.external_id
        where windows.{{ raw_column }} is not null and windows.{{ typed_column }} is null
    {%- endfor %}
)

select * from records
union all
select * from person_notes
union all
select * from service_notes
union all
select * from event_notes
union all
select * from undated_windows
