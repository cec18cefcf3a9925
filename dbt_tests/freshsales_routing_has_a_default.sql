-- seeds/freshsales_client_routing.csv routes every client: the `*` row covers the statuses no
-- other row names and clients without a status, so no client is left undecided.
select count(*) as default_rows
from {{ ref('freshsales_client_routing') }}
where client_status = '*'
having count(*) <> 1
