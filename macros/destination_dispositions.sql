{#- The destination-neutral part of int_<destination>__dispositions. Every destination derives
    its accounting from Twenty's rows (int_migration__dispositions), so the rules that decide
    whether a Bizstim record is migrated at all are shared; what differs is the destination's
    object names and its own reasons to hold a mapped row back. Pipedrive's and Salesforce's
    models carried the same ~90 lines for the records other than people (the availability and
    notes that follow their person's fate, the owner-lookup wording, the disposition from a
    destination rule); Freshsales would have been the third copy. These macros take the
    destination's object names and rules as arguments and expect the caller's CTEs:
      twenty    int_migration__dispositions
      people    the destination's people: person_external_id, quarantine_rule
      windows   int_availability__windows: window_external_id, person_external_id
      settings  the destination's settings row (object_names may read its switches)
    plus one CTE per entry of `fates` with quarantine_rule and quarantine_reason. -#}


{#- Twenty's person rows once per destination object a person feeds. `objects` lists
    (object name, source tables or none for every table); `people_columns` are the columns the
    caller's decisions read from its people CTE (SQL select items). -#}
{% macro destination_person_rows(objects, people_columns) -%}
    select
        person_objects.object_name,
        twenty.source_table,
        twenty.source_id,
        twenty.disposition,
        twenty.rule,
        twenty.reason,
        twenty.target_external_id,
        {{ people_columns | join(',\n        ') }}
    from twenty
    inner join (
        values
        {%- for object_name, source_tables in objects %}
            ('{{ object_name }}', {{ "null" if source_tables is none else source_tables | tojson | replace('"', "'") }}){{ "," if not loop.last }}
        {%- endfor %}
    ) as person_objects (object_name, source_tables)
        on person_objects.source_tables is null
            or list_contains(person_objects.source_tables, twenty.source_table)
    left join people on twenty.target_external_id = people.person_external_id
    where twenty.object_name = 'person'
{%- endmacro %}


{#- Twenty's rows of every object but person, settled for the destination:
      destination     its display name ('Pipedrive'): rules person_not_in_<lower>,
                      client_not_in_<lower> and the reasons' wording
      object_names    Twenty object name -> SQL expression of the destination object name
                      (a quoted literal, or an expression over settings for a switch);
                      anything else is other_object
      fates           Twenty object name -> (CTE name, key column): the destination model that
                      quarantines that object's rows (quarantine_rule, quarantine_reason)
      fixed_rules     Twenty object name -> rule for every mapped row of that object (applied
                      after the fates and the person's fate: a note target's client first)
      excluded_rules  the rules that exclude (a documented design choice); every other rule
                      quarantines
      user_noun       what an owner's user is called ('a Pipedrive user'), for
                      user_without_email's reason
      note_target_prefix / custom_field_prefix  the target ids of note targets and custom
                      field values, replacing Twenty's 'note_target:' / 'person.' -#}
{% macro destination_record_dispositions(
    destination, object_names, other_object, fates, fixed_rules, excluded_rules, user_noun,
    note_target_prefix, custom_field_prefix
) -%}
    {%- set slug = destination | lower -%}
    select
        object_name,
        source_table,
        source_id,
        case
            when disposition <> 'mapped' or destination_rule is null then disposition
            when destination_rule in ('{{ excluded_rules | join("', '") }}') then 'excluded'
            else 'quarantined'
        end as disposition,
        case when disposition <> 'mapped' then rule else destination_rule end as rule,
        case when disposition <> 'mapped' then reason else destination_reason end as reason,
        target_external_id
    from (
        select
            case twenty.object_name
                {%- for twenty_object, expression in object_names.items() %}
                    when '{{ twenty_object }}' then {{ expression }}
                {%- endfor %}
                else '{{ other_object }}'
            end as object_name,
            twenty.source_table,
            twenty.source_id,
            twenty.disposition,
            twenty.rule,
            case
                when twenty.rule = 'user_without_email'
                    then replace(twenty.reason, 'a Twenty workspace member', '{{ user_noun }}')
                else twenty.reason
            end as reason,
            case
                when twenty.object_name = 'noteTarget'
                    then replace(twenty.target_external_id, 'note_target:', '{{ note_target_prefix }}')
                when twenty.object_name = 'person (custom field)'
                    then replace(twenty.target_external_id, 'person.', '{{ custom_field_prefix }}')
                else twenty.target_external_id
            end as target_external_id,
            case
                {%- for twenty_object, fate in fates.items() %}
                    when twenty.object_name = '{{ twenty_object }}'
                        then fate_{{ loop.index }}.quarantine_rule
                {%- endfor %}
                when twenty.object_name = 'availabilityWindow'
                    and window_people.quarantine_rule is not null
                    then 'person_not_in_{{ slug }}'
                when twenty.object_name in ('note', 'noteTarget')
                    and note_people.quarantine_rule is not null
                    then 'client_not_in_{{ slug }}'
                {%- for twenty_object, fixed_rule in fixed_rules.items() %}
                    when twenty.object_name = '{{ twenty_object }}' then '{{ fixed_rule }}'
                {%- endfor %}
            end as destination_rule,
            case
                {%- for twenty_object, fate in fates.items() %}
                    when twenty.object_name = '{{ twenty_object }}'
                        then fate_{{ loop.index }}.quarantine_reason
                {%- endfor %}
                when twenty.object_name = 'availabilityWindow'
                    then 'Availability ' || twenty.source_id || ': its person '
                        || window_people.person_external_id
                        || ' is not migrated to {{ destination }} ('
                        || window_people.quarantine_rule || '); fix the person and it follows.'
                when twenty.object_name in ('note', 'noteTarget')
                    then 'The notes of ' || note_people.person_external_id
                        || ': the client is not migrated to {{ destination }} ('
                        || note_people.quarantine_rule || '); fix the client and they follow.'
            end as destination_reason
        from twenty
        cross join settings
        {%- for twenty_object, fate in fates.items() %}
            left join {{ fate[0] }} as fate_{{ loop.index }}
                on twenty.object_name = '{{ twenty_object }}'
                    and twenty.target_external_id = fate_{{ loop.index }}.{{ fate[1] }}
        {%- endfor %}
        left join windows
            on twenty.object_name = 'availabilityWindow'
                and twenty.target_external_id = windows.window_external_id
        left join people as window_people
            on windows.person_external_id = window_people.person_external_id
        left join people as note_people
            on twenty.object_name in ('note', 'noteTarget')
                and substr(twenty.target_external_id, strpos(twenty.target_external_id, ':') + 1)
                = note_people.person_external_id
        where twenty.object_name <> 'person'
    ) as record_rows
{%- endmacro %}


{#- The accounting's last step, the same for every destination: a reason only for a
    quarantined row, a target only for a mapped one. -#}
{% macro settled_dispositions(relation) -%}
    select
        object_name,
        source_table,
        source_id,
        disposition,
        rule,
        case when disposition = 'quarantined' then reason end as reason,
        case when disposition = 'mapped' then target_external_id end as target_external_id
    from {{ relation }}
{%- endmacro %}


{#- A destination's side of migration__quarantine (same columns): every row its dispositions
    model quarantines (impact record_not_migrated), and every value a migrated person carries
    only as typed, one line of its people model's values_kept_raw each (impact value_kept_raw):
    an invalid e-mail (email_invalid_kept_raw) or a value too long for its field
    (too_long_rule). Pipedrive's and Freshsales' quarantine models were this query on other
    names. -#}
{% macro destination_quarantine(dispositions, people, person_object, kept_in, too_long_rule) -%}
    with records as (
        select
            object_name,
            source_table,
            source_id,
            rule,
            reason,
            'record_not_migrated' as impact
        from {{ ref(dispositions) }}
        where disposition = 'quarantined'
    ),

    kept_lines as (
        select
            person_external_id,
            unnest(string_split(values_kept_raw, chr(10))) as kept_line
        from {{ ref(people) }}
        where quarantine_rule is null and values_kept_raw is not null
    )

    select * from records
    union all
    select
        '{{ person_object }}' as object_name,
        'people' as source_table,
        person_external_id as source_id,
        case
            when starts_with(kept_line, 'email: ') then 'email_invalid_kept_raw'
            when starts_with(kept_line, 'shared email: ') then 'email_shared_kept_raw'
            else '{{ too_long_rule }}'
        end as rule,
        person_external_id || ': ' || kept_line
        || '; kept as typed in the {{ kept_in }}.' as reason,
        'value_kept_raw' as impact
    from kept_lines
{%- endmacro %}
