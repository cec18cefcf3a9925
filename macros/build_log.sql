{#- The build's own record, written into the DuckDB file it built (on-run-start / on-run-end).

    `bizmig load`, `reconcile` and `report` refuse marts whose last build failed, is partial
    or is older than the latest extraction (load/core/build_state.py). They read these tables
    rather than dbt's target/run_results.json: the record travels with the data when the file
    is copied to an auditor, and it cannot describe another file (run_results.json lives in
    whichever target/ the last dbt command happened to use).

    migration.dbt_builds          one row per dbt build / run / test / seed / snapshot / retry;
                                  finished_at stays null when the command was interrupted
    migration.dbt_build_results   one row per node each of those ran (status, failures, message)
    migration.dbt_project_nodes   the project's nodes at the last such command, with parents
-#}

{% macro _build_log_commands() -%}
    {{ return(['build', 'run', 'test', 'seed', 'snapshot', 'retry']) }}
{%- endmacro %}

{#- A text cell, cut at limit characters; limit none for JSON, which a cut would leave
    unreadable (migration__reconciliation's depends_on passed 2,000 characters with the fourth
    destination). -#}
{% macro _build_log_text(value, limit=2000) -%}
    {%- if value is none -%}null{%- else -%}'{{ ((value | string) if limit is none else (value | string)[:limit]) | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{% macro record_build_start() %}
    {%- if execute and flags.WHICH in _build_log_commands() -%}
        {%- set args = invocation_args_dict -%}
        {%- set selection = [] -%}
        {%- for name in ['select', 'exclude', 'selector'] -%}
            {%- if args.get(name) -%}
                {%- do selection.append('--' ~ name ~ ' ' ~ (args[name] | join(' ') if args[name] is iterable and args[name] is not string else args[name])) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set vars_json = tojson({'sample_pct': var('sample_pct', none), 'sample_clients': var('sample_clients', none)}) -%}
        {%- do run_query("
            create schema if not exists migration;
            create table if not exists migration.dbt_builds (
                invocation_id varchar primary key, command varchar not null,
                selection varchar, started_at timestamptz not null, finished_at timestamptz,
                status varchar not null, nodes integer, errors integer, failed_tests integer,
                skipped integer, warnings integer, vars json, built_file varchar,
                dbt_version varchar);
            create table if not exists migration.dbt_build_results (
                invocation_id varchar not null, unique_id varchar not null,
                resource_type varchar not null, name varchar, status varchar not null,
                failures bigint, message varchar, execution_seconds double);
            create table if not exists migration.dbt_project_nodes (
                unique_id varchar primary key, resource_type varchar not null, name varchar,
                materialized varchar, depends_on json);
            comment on table migration.dbt_builds is 'Every dbt build / run / test / seed on this file (macros/build_log.sql): status success / error, or running when it never finished. bizmig load refuses a failed, partial or stale build.';
            comment on table migration.dbt_build_results is 'The result of every node each recorded dbt command ran: status (success, pass, warn, error, fail, skipped), failing rows, message.';
            comment on table migration.dbt_project_nodes is 'The models, seeds and tests of the dbt project at the last recorded command, with their parents (to tell a partial build).';
            insert into migration.dbt_builds values (
                '" ~ invocation_id ~ "', '" ~ flags.WHICH ~ "', "
                ~ (_build_log_text(selection | join(' ')) if selection else 'null') ~ ",
                now(), null, 'running', null, null, null, null, null, "
                ~ _build_log_text(vars_json) ~ ", " ~ _build_log_text(target.path) ~ ", '"
                ~ dbt_version ~ "');
        ") -%}
    {%- endif -%}
{% endmacro %}

{% macro record_build_end(results) %}
    {%- if execute and flags.WHICH in _build_log_commands() -%}
        {%- set rows = [] -%}
        {%- set counts = {'errors': 0, 'failed_tests': 0, 'skipped': 0, 'warnings': 0} -%}
        {%- for result in results if result.node.resource_type in ['model', 'seed', 'test', 'snapshot', 'unit_test'] -%}
            {%- set status = result.status | string | lower -%}
            {%- if status == 'error' -%}{%- do counts.update({'errors': counts.errors + 1}) -%}
            {%- elif status == 'fail' -%}{%- do counts.update({'failed_tests': counts.failed_tests + 1}) -%}
            {%- elif status == 'skipped' -%}{%- do counts.update({'skipped': counts.skipped + 1}) -%}
            {%- elif status == 'warn' -%}{%- do counts.update({'warnings': counts.warnings + 1}) -%}
            {%- endif -%}
            {%- do rows.append("('" ~ invocation_id ~ "', '" ~ result.node.unique_id ~ "', '"
                ~ result.node.resource_type ~ "', " ~ _build_log_text(result.node.name) ~ ", '"
                ~ status ~ "', " ~ (result.failures if result.failures is number else 'null')
                ~ ", " ~ _build_log_text(result.message) ~ ", "
                ~ (result.execution_time if result.execution_time is number else 'null') ~ ")") -%}
        {%- endfor -%}
        {%- set nodes = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'test', 'snapshot'] and node.config.materialized != 'ephemeral' -%}
            {%- do nodes.append("('" ~ node.unique_id ~ "', '" ~ node.resource_type ~ "', "
                ~ _build_log_text(node.name) ~ ", " ~ _build_log_text(node.config.materialized)
                ~ ", " ~ _build_log_text(tojson((node.get('depends_on') or {}).get('nodes') or []), limit=none) ~ ")") -%}
        {%- endfor -%}
        {%- set failed = counts.errors + counts.failed_tests + counts.skipped -%}
        {%- set sql -%}
            begin transaction;
            {% if rows -%}
            insert into migration.dbt_build_results values {{ rows | join(',\n') }};
            {%- endif %}
            delete from migration.dbt_project_nodes;
            {% if nodes -%}
            insert into migration.dbt_project_nodes values {{ nodes | join(',\n') }};
            {%- endif %}
            update migration.dbt_builds set finished_at = now(),
                status = '{{ 'error' if failed else 'success' }}', nodes = {{ rows | length }},
                errors = {{ counts.errors }}, failed_tests = {{ counts.failed_tests }},
                skipped = {{ counts.skipped }}, warnings = {{ counts.warnings }}
            where invocation_id = '{{ invocation_id }}';
            commit;
        {%- endset -%}
        {%- do run_query(sql) -%}
    {%- endif -%}
{% endmacro %}
