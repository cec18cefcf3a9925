-- Object and field names the loader will create follow Twenty's naming rules: camelCase,
-- start with a lowercase letter, letters/digits only, at most 63 characters, not reserved.
{%- set reserved = [
    'user', 'users', 'workspace', 'workspaces', 'role', 'roles', 'job', 'jobs', 'plan', 'plans',
    'event', 'events', 'field', 'fields', 'link', 'links', 'currency', 'currencies',
    'fullname', 'fullnames', 'address', 'addresses', 'type', 'types', 'object', 'objects',
    'index', 'relation', 'relations', 'aggregate', 'featureflag', 'featureflags'
] %}
with names as (
    select
        'object' as kind,
        name_singular as name
    from {{ ref('twenty_objects') }}
    union all
    select
        'object',
        name_plural
    from {{ ref('twenty_objects') }}
    union all
    select
        'field ' || object_name,
        field_name
    from {{ ref('migration__field_catalog') }}
    where is_custom
)

select *
from names
where not regexp_full_match(name, '[a-z][a-zA-Z0-9]{0,62}')
    or lower(name) in (
        {% for word in reserved %}            '{{ word }}'{{ ", " if not loop.last }}                                                {% endfor %}
    )
