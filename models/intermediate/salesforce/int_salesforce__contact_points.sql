-- E-mails and phones of each person as Salesforce takes them (Contact and Lead alike).
-- Salesforce's Email is not unique, so unlike Twenty (int_people__emails) no owner rule
-- applies: a family sharing an address all get it. Email = the person's first valid address
-- (by position) that fits the field's 80 characters; every other valid address goes to
-- Bizstim_Other_Emails__c. Phones are E.164 (from int_people__phone_numbers, parsed in the
-- record's country): Phone = the first valid p_phone / s_phone number, MobilePhone = the first
-- valid text_phone number (Bizstim's number for text messages), every other distinct valid
-- number goes to Bizstim_Other_Phones__c. Nothing is dropped: an invalid address, an
-- unparseable number and a number's extension (E.164 has none) become kept-raw notes
-- (source_field, raw_value, reason, rule) that int_salesforce__people writes to
-- Bizstim_Values_Kept_Raw__c and migration__quarantine lists.
with addresses as (
    select * from {{ ref('int_people__email_addresses') }}
),

numbers as (
    select * from {{ ref('int_people__phone_numbers') }}
),

valid_addresses as (
    select
        person_external_id,
        email,
        min(position) as position,
        {{ salesforce_too_long('email', 80) }} is false as fits
    from addresses
    where is_valid
    group by person_external_id, email
),

emails as (
    select
        person_external_id,
        list(email order by position) filter (where fits) as fitting_emails,
        list({
            'source_field': 'email',
            'raw_value': email,
            'reason': {{ salesforce_length('email') }}
            || ' characters, more than the 80 Salesforce''s Email holds',
            'rule': 'salesforce_field_too_long_kept_raw'
        } order by position) filter (where not fits) as notes
    from valid_addresses
    group by person_external_id
),

-- a merged person's records can repeat a token: one note per distinct token
email_notes as (
    select
        person_external_id,
        list({
            'source_field': 'email',
            'raw_value': raw_token,
            'reason': 'not a valid e-mail address',
            'rule': 'email_invalid_kept_raw'
        } order by position) as notes
    from (
        select
            person_external_id,
            raw_token,
            min(position) as position
        from addresses
        where not is_valid
        group by person_external_id, raw_token
    ) as distinct_tokens
    group by person_external_id
),

valid_numbers as (
    select
        person_external_id,
        e164,
        min(position) as position,
        min(position) filter (where source_field in ('p_phone', 's_phone')) as phone_position,
        min(position) filter (where source_field = 'text_phone') as mobile_position
    from numbers
    where is_valid
    group by person_external_id, e164
),

chosen_numbers as (
    select
        person_external_id,
        arg_min(e164, phone_position) filter (where phone_position is not null) as phone,
        arg_min(e164, mobile_position) filter (where mobile_position is not null)
            as mobile_phone
    from valid_numbers
    group by person_external_id
),

phones as (
    select
        valid_numbers.person_external_id,
        any_value(chosen_numbers.phone) as phone,
        any_value(chosen_numbers.mobile_phone) as mobile_phone,
        string_agg(valid_numbers.e164, '; ' order by valid_numbers.position) filter (
            where valid_numbers.e164 is distinct from chosen_numbers.phone
            and valid_numbers.e164 is distinct from chosen_numbers.mobile_phone
        ) as other_phones
    from valid_numbers
    inner join
        chosen_numbers
        on valid_numbers.person_external_id = chosen_numbers.person_external_id
    group by valid_numbers.person_external_id
),

phone_notes as (
    select
        person_external_id,
        list({
            'source_field': source_field,
            'raw_value': raw_phone,
            'reason': case
                when is_valid then 'extension ' || extension || ': an E.164 number has none'
                else kept_raw_reason
            end,
            'rule': case
                when is_valid then 'phone_extension_kept_raw' else 'phone_unparseable_kept_raw'
            end
        } order by position) as notes
    from (
        select
            person_external_id,
            source_field,
            raw_phone,
            is_valid,
            extension,
            kept_raw_reason,
            min(position) as position
        from numbers
        where not is_valid or extension is not null
        group by all
    ) as distinct_numbers
    group by person_external_id
),

people as (
    select person_external_id from emails
    union
    select person_external_id from email_notes
    union
    select person_external_id from phones
    union
    select person_external_id from phone_notes
)

select
    people.person_external_id,
    emails.fitting_emails[1] as email,
    nullif(array_to_string(emails.fitting_emails[2:], '; '), '') as other_emails,
    phones.phone,
    phones.mobile_phone,
    phones.other_phones,
    list_concat(
        coalesce(email_notes.notes, []),
        coalesce(emails.notes, []),
        coalesce(phone_notes.notes, [])
    ) as kept_raw_notes
from people
left join emails on people.person_external_id = emails.person_external_id
left join email_notes on people.person_external_id = email_notes.person_external_id
left join phones on people.person_external_id = phones.person_external_id
left join phone_notes on people.person_external_id = phone_notes.person_external_id
