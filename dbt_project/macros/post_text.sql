{#
  Post text as the etiquette models compare it (int_reply_texts, first_contacts).
  tests/test_etiquette.py restates both rules in Python, from the source CSV.
#}

{# A post's words only: URLs (http(s)://..., www....) and @mentions (Mastodon's
   @user@instance too) removed, lower case, whitespace runs made one space, trimmed.
   An @ inside a word (an e-mail address) is not a mention and stays. Two replies that
   differ only in whom they address or which tracking link they carry are one text. #}
{% macro normalise_post_text(col) -%}
    trim(regexp_replace(
        lower(regexp_replace(
            regexp_replace(coalesce({{ col }}, ''), '(https?://|www\.)\S+', ' ', 'g'),
            '(^|[^\w@])@\w+(@[\w.-]*\w)?', '\1 ', 'g'
        )),
        '\s+', ' ', 'g'
    ))
{%- endmacro %}

{# The text a lexicon phrase is looked for in: normalised, then every run of characters
   other than letters, digits, % and ' made one space, with a space at each end, so a
   'word' phrase matches whole words only (' sale ' is not in 'wholesale') and
   punctuation never hides one ("Sale!" holds ' sale '). The typographic apostrophe is
   the ASCII one, as the lexicon writes "don't". #}
{% macro lexicon_text(col) -%}
    ' ' || trim(regexp_replace(
        replace({{ normalise_post_text(col) }}, '’', ''''),
        '[^\pL\pN%'']+', ' ', 'g'
    )) || ' '
{%- endmacro %}

{# Whether a lexicon row `l` (phrase, match) occurs in text prepared by lexicon_text. #}
{% macro lexicon_matches(text, l) -%}
    case {{ l }}.match
        when 'word' then contains({{ text }}, ' ' || {{ l }}.phrase || ' ')
        else contains({{ text }}, {{ l }}.phrase)
    end
{%- endmacro %}

{# The canned reply texts of `replies` (int_reply_texts or int_audit__reply_texts rows):
   one row per `keys` (an audit period's columns, or none), platform, account_id and
   non-empty reply_text posted at least var canned_reply_min_repeats times, with
   replies, first_at, last_at. One home for the rule, read by marts.canned_replies,
   int_etiquette__by_account and marts.audit_canned_replies. #}
{% macro canned_reply_texts(replies, keys=[]) -%}
    {%- set k = keys | join(', ') ~ (', ' if keys else '') -%}
    select
        {{ k }}platform, account_id, reply_text,
        count(*) as replies,
        min(created_at) as first_at,
        max(created_at) as last_at
    from {{ replies }}
    where reply_text <> ''
    group by {{ k }}platform, account_id, reply_text
    having count(*) >= {{ var('canned_reply_min_repeats') }}
{%- endmacro %}
