-- Every source row is accounted for (mapped + quarantined + excluded = source rows), and the
-- distinct records the mapped rows became are exactly the rows of the object's mart.
select *
from {{ ref('migration__reconciliation') }}
where not adds_up
    or (object_mart_rows is not null and object_mapped_records <> object_mart_rows)
