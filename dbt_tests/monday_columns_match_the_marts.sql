-- Every column a monday mart sends has its board column in seeds/monday_columns.csv, the loader
-- creates it with the type the mart's value fits, and no item is refused for a label the build
-- could have caught:
--   * each payload column of monday__<board> has its (board, column_id) row and each seed row
--     a mart column, except bizstim_id (the loader fills it from external_id), `owner` (filled
--     from owner__user_external_id) and board_relation columns (from <column_id>__external_id);
--   * the mart type fits the column type: date -> DATE, numbers -> a numeric type, checkbox
--     -> BOOLEAN, everything else VARCHAR;
--   * a status or dropdown value is one of the seed's labels (monday refuses a missing label,
--     ColumnValueException, and the loader never creates labels silently; the intermediates
--     quarantine such items, macros/monday.sql, so a failure here is a mapping bug);
--   * every item name has 1 to 255 characters (monday refuses others, InvalidItemNameException).
-- depends_on: {{ ref('monday__practitioners') }}
-- depends_on: {{ ref('monday__services') }}
-- depends_on: {{ ref('monday__contacts') }}
-- depends_on: {{ ref('monday__payments') }}
-- depends_on: {{ ref('monday__sessions') }}
-- depends_on: {{ ref('monday__availability') }}
{%- set boards = ['practitioners', 'services', 'contacts', 'payments', 'sessions',
                  'availability'] %}
{%- set bookkeeping = ['external_id', 'name', 'group_title', 'row_hash'] %}
with seed_columns as (
    select * from {{ ref('monday_columns') }}
),

columns_of_marts as (
    {%- for board in boards %}
        {%- set columns = adapter.get_columns_in_relation(ref('monday__' ~ board))
            if execute else [] %}
        {{ "union all" if not loop.first }}
        select
            '{{ board }}' as board,
            null as column_id,
            null as mart_type
        where false
        {%- for column in columns if column.name not in bookkeeping %}
            union all
            select
                '{{ board }}' as board,
                '{{ column.name | replace("owner__user_external_id", "owner")
                    | replace("__external_id", "") }}' as column_id,
                '{{ column.dtype | lower }}' as mart_type
        {%- endfor %}
    {%- endfor %}
),

declaration_failures as (
    select
        coalesce(columns_of_marts.board, seed_columns.board) as board,
        coalesce(columns_of_marts.column_id, seed_columns.column_id) as column_id,
        case
            when seed_columns.column_id is null
                then 'mart column without a seeds/monday_columns.csv row'
            when seed_columns.column_id = 'bizstim_id' then 'bizstim_id is filled by the loader'
            when columns_of_marts.column_id is null then 'seed row that no mart column fills'
            else 'mart type ' || columns_of_marts.mart_type || ' for a '
                || seed_columns.column_type || ' column'
        end as failure,
        null as failing_value
    from columns_of_marts
    full outer join seed_columns
        on columns_of_marts.board = seed_columns.board
            and columns_of_marts.column_id = seed_columns.column_id
    where seed_columns.column_id is null
        or (columns_of_marts.column_id is null) <> (seed_columns.column_id = 'bizstim_id')
        or (seed_columns.column_type = 'date' and columns_of_marts.mart_type <> 'date')
        or (seed_columns.column_type = 'checkbox' and columns_of_marts.mart_type <> 'boolean')
        or (
            seed_columns.column_type = 'numbers'
            and columns_of_marts.mart_type not in ('double', 'integer', 'bigint', 'float')
            and not starts_with(columns_of_marts.mart_type, 'decimal')
        )
        or (
            seed_columns.column_type not in ('date', 'checkbox', 'numbers')
            and columns_of_marts.mart_type <> 'varchar'
        )
),

label_failures as (
    select
        'none' as board,
        null as column_id,
        null as failure,
        null as failing_value
    where false
    {%- for board in boards %}
        {%- set columns = adapter.get_columns_in_relation(ref('monday__' ~ board))
            if execute else [] %}
        {%- for column in columns if column.name not in bookkeeping
            and column.dtype | lower == 'varchar' %}
            union all
            select
                '{{ board }}' as board,
                seed_columns.column_id,
                'not a label of the seed' as failure,
                marts.{{ column.name }} as failing_value
            from {{ ref('monday__' ~ board) }} as marts
            inner join seed_columns
                on seed_columns.board = '{{ board }}'
                    and seed_columns.column_id = '{{ column.name }}'
            where seed_columns.column_type in ('status', 'dropdown')
                and marts.{{ column.name }} is not null
                and not list_has_all(
                    string_split(seed_columns.labels, '|'),
                    case
                        when seed_columns.column_type = 'dropdown'
                            then string_split(marts.{{ column.name }}, ', ')
                        else [marts.{{ column.name }}]
                    end
                )
        {%- endfor %}
    {%- endfor %}
),

name_failures as (
    {%- for board in boards %}
        {{ "union all" if not loop.first }}
        select
            '{{ board }}' as board,
            'name' as column_id,
            'item name of ' || coalesce(length(name), 0) || ' characters' as failure,
            external_id as failing_value
        from {{ ref('monday__' ~ board) }}
        where coalesce(length(name), 0) not between 1 and 255
    {%- endfor %}
)

select * from declaration_failures
union all
select * from label_failures
union all
select * from name_failures
