-- Twenty `notes`: one per client with notes in Bizstim (body as Markdown, blocknote NULL).
with shaped as (
    select
        note_external_id as external_id,
        title as "title",
        { 'markdown': markdown, 'blocknote': cast(null as varchar) } as "bodyV2"
    from {{ ref('int_notes__client_notes') }}
)

select
    *,
    {{ row_hash(['title', 'bodyV2']) }} as row_hash
from shaped
