-- Everything a rule rejected, with a reason a person can act on.
--   impact = 'record_not_migrated': the whole source row is held back (counted in
--            migration__reconciliation as quarantined);
--   impact = 'value_kept_raw':      the record is migrated but one value could not be mapped
--            and was kept verbatim (rawEmails / rawPhones) or left empty (custom values,
--            and numbers / dates / amounts that are not one: value_not_typed_left_empty).
-- destination: the rows below are Twenty's ('twenty'); int_salesforce__quarantine adds the
-- Salesforce side ('salesforce'), int_pipedrive__quarantine the Pipedrive side ('pipedrive')
-- int_freshsales__quarantine the Freshsales side ('freshsales') and int_monday__quarantine the
-- monday side ('monday'), whose mappings keep other values than Twenty's.
with records as (
    select
        object_name,
        source_table,
        source_id,
        rule,
        reason,
        'record_not_migrated' as impact
    from {{ ref('int_migration__dispositions') }}
    where disposition = 'quarantined'
),

bad_emails as (
    select
        'person' as object_name,
        split_part(source_record_key, ':', 1) || 's' as source_table,
        split_part(source_record_key, ':', 2) as source_id,
        'email_invalid_kept_raw' as rule,
        'E-mail "' || raw_token || '" of ' || source_record_key || ' is not a valid address;'
        || ' it is kept in rawEmails. Correct it in Bizstim to migrate it as an e-mail.'
            as reason,
        'value_kept_raw' as impact
    from {{ ref('int_people__email_addresses') }}
    where not is_valid
),

shared_emails as (
    select
        'person' as object_name,
        'people' as source_table,
        person_external_id as source_id,
        'email_shared_not_primary' as rule,
        'An e-mail of ' || person_external_id || ' belongs to another person as primary'
        || ' e-mail (Twenty needs primary e-mails to be unique); it is kept as an additional'
        || ' e-mail and emailShared is set.' as reason,
        'value_kept_raw' as impact
    from {{ ref('int_people__emails') }}
    where email_shared
),

bad_phones as (
    select
        'person' as object_name,
        'people' as source_table,
        person_external_id as source_id,
        case when is_valid then 'phone_extension_kept_raw' else 'phone_unparseable_kept_raw' end
            as rule,
        source_field || ' "' || raw_phone || '" of ' || person_external_id
        || case
            when is_valid then ' has an extension Twenty phones cannot hold'
            else ' is not a valid phone number'
        end || '; it is kept in rawPhones. Correct it in Bizstim if it should be dialable.'
            as reason,
        'value_kept_raw' as impact
    from {{ ref('int_people__phone_numbers') }}
    where not is_valid or extension is not null
),

bad_custom_values as (
    select
        'person' as object_name,
        'client_details' as source_table,
        cast(client_id as varchar) as source_id,
        'custom_value_not_valid_for_type' as rule,
        'Custom field "' || coalesce(bizstim_field_name, source_column) || '" of client '
        || client_id || ' holds "' || raw_value || '", which is not a valid '
        || target_field_type
        || case
            when target_field_type = 'SELECT'
                then ' option (' || array_to_string(select_options, ' | ') || ')'
            else ' value'
        end || '; the field is left empty. Correct the value in Bizstim, or change the'
        || ' field''s target_field_type / select_options in seeds/custom_field_map.csv.' as reason,
        'value_kept_raw' as impact
    from {{ ref('int_people__custom_values') }}
    where mapping_status = 'migrate' and not fits_type
),

client_values as (
    {%- for field_name, raw_column, typed_column, expected in [
        ('start_date', 'start_date_raw', 'start_date', 'date (YYYY-MM-DD)'),
        ('slotDuration', 'slot_duration_raw', 'slot_duration', 'whole number'),
        ('sessionLimit', 'session_limit_raw', 'session_limit', 'whole number'),
    ] %}
        {{ "union all" if not loop.first }}
        select
            client_id,
            '{{ field_name }}' as field_name,
            {{ raw_column }} as raw_value,
            '{{ expected }}' as expected
        from {{ ref('stg_bizstim__client_details') }}
        where {{ raw_column }} is not null and {{ typed_column }} is null
    {%- endfor %}
),

untyped_client_values as (
    select
        'person' as object_name,
        'client_details' as source_table,
        cast(client_values.client_id as varchar) as source_id,
        'value_not_typed_left_empty' as rule,
        'Client ' || client_values.client_id || ': ' || client_values.field_name || ' "'
        || client_values.raw_value || '" is not a ' || client_values.expected
        || '; the field is left empty. Correct it in Bizstim.' as reason,
        'value_kept_raw' as impact
    from client_values
    inner join {{ ref('int_people__source_records') }} as source_records
        on source_records.source_record_key = 'client:' || client_values.client_id
    where source_records.exclusion_rule is null and source_records.quarantine_rule is null
),

untyped_service_values as (
    select
        'tutoringService' as object_name,
        'services' as source_table,
        cast(service_id as varchar) as source_id,
        'value_not_typed_left_empty' as rule,
        'Service ' || service_id || ': '
        || case
            when service_cost is null and service_cost_raw is not null
                then 'service_cost "' || service_cost_raw || '"'
                    || case
                        when {{ money_decimals('service_cost_raw') }} > 6
                            then ' has more decimals than Twenty''s micros (6) hold'
                        else ' is not an amount'
                    end
            else 'service_default_wage "' || service_default_wage_raw || '"'
                || case
                    when {{ money_decimals('service_default_wage_raw') }} > 6
                        then ' has more decimals than Twenty''s micros (6) hold'
                    else ' is not an amount'
                end
        end || '; it is left empty rather than rounded. Correct it in Bizstim.' as reason,
        'value_kept_raw' as impact
    from {{ ref('int_services__catalog') }}
    where
        exclusion_rule is null and quarantine_rule is null
        and (
            (service_cost is null and service_cost_raw is not null)
            or (service_default_wage is null and service_default_wage_raw is not null)
        )
),

undated_schedules as (
    {%- for edge, raw_column, typed_column, field in [
        ('start', 'valid_from_raw', 'valid_from', 'validFrom'),
        ('end', 'valid_until_raw', 'valid_until', 'validUntil'),
    ] %}
        {{ "union all" if not loop.first }}
        select
            'availabilityWindow' as object_name,
            'availability (schedule x weekday)' as source_table,
            availability_id || ':' || lower(day_of_week) as source_id,
            case
                when {{ raw_column }} = '0000-00-00' then 'zero_date_left_empty'
                else 'value_not_typed_left_empty'
            end as rule,
            'Availability schedule ' || availability_id || ' (' || coalesce(label, 'no label')
            || '), ' || day_label || ': {{ edge }} date "' || {{ raw_column }} || '" '
            || case
                when {{ raw_column }} = '0000-00-00'
                    then 'is MySQL''s zero date (not set)'
                else 'is not a date (YYYY-MM-DD)'
            end
            || '; {{ field }} is left empty, so the window loads without a {{ edge }} date.'
            || ' Enter the date in Bizstim if the schedule has one.' as reason,
            'value_kept_raw' as impact
        from {{ ref('int_availability__windows') }}
        where exclusion_rule is null and quarantine_rule is null
            and {{ raw_column }} is not null and {{ typed_column }} is null
    {%- endfor %}
),

twenty as (
    select * from records
    union all
    select * from undated_schedules
    union all
    select * from untyped_client_values
    union all
    select * from untyped_service_values
    union all
    select * from bad_emails
    union all
    select * from shared_emails
    union all
    select * from bad_phones
    union all
    select * from bad_custom_values
)

select
    'twenty' as destination,
    *
from twenty
union all
select
    'salesforce' as destination,
    *
from {{ ref('int_salesforce__quarantine') }}
union all
select
    'pipedrive' as destination,
    *
from {{ ref('int_pipedrive__quarantine') }}
union all
select
    'freshsales' as destination,
    *
from {{ ref('int_freshsales__quarantine') }}
union all
select
    'monday' as destination,
    *
from {{ ref('int_monday__quarantine') }}
