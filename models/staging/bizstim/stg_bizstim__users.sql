-- Bizstim logins (admins, practitioners, staff); matched to Twenty workspace members by e-mail.
with source as (
    select * from {{ bizstim_source('users') }}
)

select
    id as source_id,
    {{ to_integer('id') }} as user_id,
    {{ clean_text('username') }} as username,
    lower({{ clean_text('email') }}) as email,
    {{ clean_text('first_name') }} as first_name,
    {{ clean_text('last_name') }} as last_name,
    {{ decode_code('users', 'role', 'role') }} as role,
    {{ clean_text('status') }} as status,
    try_strptime({{ clean_text('last_login') }}, '%Y-%m-%d %H:%M:%S') as last_login_local,
    {{ is_in_current_snapshot(list_table='users') }} as is_in_current_snapshot
from source
