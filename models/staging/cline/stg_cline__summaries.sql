{#- Cline task titles and condense summaries. -#}
{{ cline_family_summaries('cline') }}
