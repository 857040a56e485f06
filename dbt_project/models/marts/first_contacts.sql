-- One row per (platform, brand, addressed account): built in int_first_contacts (the
-- definition and why), published here with every column described in the YAML; a view,
-- so the rows are stored once.
{{ config(materialized='view') }}

select * from {{ ref('int_first_contacts') }}
