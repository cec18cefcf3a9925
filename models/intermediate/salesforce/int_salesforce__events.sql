-- Bizstim sessions as Salesforce Events (int_sessions__scheduled: times already in UTC).
--   * WhoId = the client's Contact or Lead (WhoId takes either); a session whose client is
--     quarantined on the Salesforce side is quarantined too (client_not_in_salesforce).
--   * OwnerId = the practitioner's Bizstim user (int_people__owner_users), matched to an
--     active Salesforce User by e-mail at load time. The practitioner is not a relation:
--     Bizstim_Practitioner_Id__c keeps the id.
--   * Subject = the service (Text 255, required here: longer quarantines the session).
--   * Location = the location's name (Text 255). Values longer than their field (Location,
--     QuickBooks invoice id, cancelled clients) are left empty and kept in Description, after
--     the session notes, under "Bizstim values kept as typed"; Description itself (32,000) is
--     never cut: longer quarantines the session (salesforce_field_too_long).
with sessions as (
    select * from {{ ref('int_sessions__labelled') }}
),

people as (
    select
        person_external_id,
        quarantine_rule
    from {{ ref('int_salesforce__people') }}
),

shaped as (
    select
        sessions.session_external_id,
        sessions.session_id,
        coalesce(sessions.service_description, 'Bizstim session') as subject,
        strftime(sessions.starts_at_utc, '%Y-%m-%dT%H:%M:%SZ') as start_date_time,
        strftime(sessions.ends_at_utc, '%Y-%m-%dT%H:%M:%SZ') as end_date_time,
        {{ salesforce_fit('sessions.location_name', 255) }} as event_location,
        sessions.session_notes,
        sessions.status_label as session_status,
        sessions.is_confirmed,
        sessions.is_group_session,
        cast(sessions.slots as integer) as slots,
        sessions.is_recurring,
        sessions.recurrence_id,
        sessions.service_id,
        sessions.practitioner_id,
        {{ salesforce_fit('sessions.qb_invoice_id', 255) }} as quickbooks_invoice_id,
        {{ salesforce_fit('sessions.cancel_clients', 255) }} as cancelled_clients,
        sessions.client_external_id,
        people.quarantine_rule as client_quarantine_rule,
        sessions.owner_user_external_id,
        {{ salesforce_too_long_notes([
            ('location', 'sessions.location_name', 255),
            ('qb_invoice_id', 'sessions.qb_invoice_id', 255),
            ('cancel_clients', 'sessions.cancel_clients', 255),
        ]) }} as kept_raw_notes
    from sessions
    left join people on sessions.client_external_id = people.person_external_id
),

-- the notes' text apart: its lambda's references would make another select inconsistent
noted as (
    select
        *,
        {{ kept_raw_text('kept_raw_notes') }} as kept_raw_text
    from shaped
),

described as (
    select
        * exclude (kept_raw_text),
        nullif(
            concat_ws(
                chr(10) || chr(10),
                session_notes,
                'Bizstim values kept as typed:' || chr(10) || kept_raw_text
            ),
            ''
        ) as description
    from noted
)

select
    * exclude (client_quarantine_rule),
    case
        when client_quarantine_rule is not null then 'client_not_in_salesforce'
        when {{ salesforce_too_long('subject', 255) }} then 'salesforce_field_too_long'
        when {{ salesforce_too_long('description', 32000) }} then 'salesforce_field_too_long'
    end as quarantine_rule,
    'Session ' || session_id || ': ' || case
        when client_quarantine_rule is not null
            then 'its client ' || client_external_id || ' is not migrated to Salesforce ('
                || client_quarantine_rule || '); fix the client and the session follows.'
        when {{ salesforce_too_long('subject', 255) }}
            then 'the service name "' || subject || '" has ' || {{ salesforce_length('subject') }}
                || ' characters, more than the 255 of Event.Subject; shorten it in Bizstim.'
        else 'the notes have ' || {{ salesforce_length('description') }}
            || ' characters, more than the 32,000 of Event.Description; shorten them in Bizstim.'
    end as quarantine_reason
from described
