-- Bizstim users (logins) keyed by e-mail, for matching to Twenty workspace members at load
-- time (workspace members cannot be created through the API). One row per address; when two
-- logins share an address the lowest user id keeps it and the other is excluded.
with users as (
    select
        *,
        coalesce({{ is_email_address('email') }}, false) as has_valid_email
    from {{ ref('stg_bizstim__users') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by case when has_valid_email then email end order by user_id
        ) as email_rank
    from users
)

select
    'user:' || user_id as user_external_id,
    *,
    case
        when not is_in_current_snapshot then 'not_in_current_snapshot'
        {{ pilot_exclusion('user', 'user_id') }}
        when has_valid_email and email_rank > 1 then 'email_used_by_another_user'
    end as exclusion_rule,
    case
        when is_in_current_snapshot and not has_valid_email then 'user_without_email'
    end as quarantine_rule,
    case
        when is_in_current_snapshot and not has_valid_email
            then 'Bizstim user ' || user_id || ' (' || coalesce(username, '?')
                || ') has no usable e-mail ("' || coalesce(email, '') || '"), so it cannot be'
                || ' matched to a Twenty workspace member; add the e-mail in Bizstim.'
    end as quarantine_reason
from ranked
